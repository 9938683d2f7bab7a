/**
 * The embedded engine: PGlite (PostgreSQL compiled to WebAssembly) in this process, persisted
 * under a data directory, or in memory. It runs one statement or transaction at a time, so one
 * lock orders every namespace's work and the search_path is switched only when the namespace
 * changes (a hot module pays nothing for it). PGlite is imported only when first used.
 */
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { databaseErrors } from '../errors/database-messages.js';
import { toDatabaseError } from './driver-errors.js';
import type { DatabaseEngine, EngineSession } from './engine.js';
import { DataDirLock } from './data-dir-lock.js';
import { quoteIdent } from './schema-names.js';
import type { QueryResult } from './types.js';

const INT8 = 20;
const BYTEA = 17;

/** node-postgres's result types, so rows look the same on both engines. */
const PARSERS = {
  [INT8]: (value: string) => value,
  [BYTEA]: (value: string) => Buffer.from(value.slice(2), 'hex'),
};

export interface EmbeddedOptions {
  /** A directory, or `:memory:`. */
  dir: string;
  /** ms a caller waits for the engine while another transaction holds it. */
  lockTimeoutMs: number;
}

export class EmbeddedEngine implements DatabaseEngine {
  readonly kind = 'embedded';
  readonly description: string;
  private searchPath: string | undefined;
  private busy = false;
  private readonly waiters: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly db: PGlite,
    private readonly options: EmbeddedOptions,
    private readonly dirLock: DataDirLock | undefined,
  ) {
    this.description =
      options.dir === ':memory:'
        ? 'the embedded engine (in memory)'
        : `the embedded engine at ${options.dir}`;
  }

  static async open(options: EmbeddedOptions): Promise<EmbeddedEngine> {
    const inMemory = options.dir === ':memory:';
    let dirLock: DataDirLock | undefined;
    if (!inMemory) {
      mkdirSync(options.dir, { recursive: true });
      dirLock = DataDirLock.acquire(options.dir);
    }
    try {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create({
        ...(inMemory ? {} : { dataDir: options.dir }),
        parsers: PARSERS,
      });
      return new EmbeddedEngine(db, options, dirLock);
    } catch (err) {
      dirLock?.release();
      throw databaseErrors.openFailed(options.dir, err);
    }
  }

  query(schema: string, sql: string, params?: readonly unknown[]): Promise<QueryResult<never>> {
    // The hot path: engine free and already on this schema, so no wait and no switch.
    if (!this.busy && !this.closed && this.searchPath === schema) {
      this.busy = true;
      const result = this.run(schema, sql, params);
      const release = () => this.release();
      result.then(release, release);
      return result;
    }
    return this.queryQueued(schema, sql, params);
  }

  private async queryQueued(
    schema: string,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<never>> {
    await this.acquire(schema);
    try {
      await this.use(schema);
      return await this.run(schema, sql, params);
    } finally {
      this.release();
    }
  }

  async session<T>(
    schema: string,
    body: (session: EngineSession, phase: { committing: boolean }) => Promise<T>,
  ): Promise<T> {
    await this.acquire(schema);
    try {
      await this.use(schema);
      const session: EngineSession = {
        query: (sql, params) => this.run(schema, sql, params),
        exec: async (sql) => {
          try {
            await this.db.exec(sql);
          } catch (err) {
            throw toDatabaseError(err, this.context(schema, sql));
          }
        },
      };
      return await body(session, { committing: false });
    } finally {
      // A body may have moved the search_path (migrations can): look it up again next time.
      this.searchPath = undefined;
      this.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.acquire('(close)').catch(() => undefined);
    try {
      await this.db.close();
    } finally {
      this.dirLock?.release();
      this.release();
    }
  }

  private run(
    schema: string,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<never>> {
    return this.db.query<never>(sql, params as unknown[] | undefined).then(
      (result) => ({ rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }),
      (err: unknown) => {
        throw toDatabaseError(err, this.context(schema, sql));
      },
    );
  }

  private context(schema: string, sql: string) {
    return { schema, engine: this.description, sql, timeoutMs: this.options.lockTimeoutMs };
  }

  private async use(schema: string): Promise<void> {
    if (this.searchPath === schema) return;
    await this.db.exec(`set search_path to ${quoteIdent(schema)}`);
    this.searchPath = schema;
  }

  /** The engine lock: immediate when free; otherwise FIFO, bounded by the lock timeout. */
  private acquire(schema: string): Promise<void> {
    if (this.closed && schema !== '(close)') return Promise.reject(databaseErrors.closed(schema));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(grant);
        if (at !== -1) this.waiters.splice(at, 1);
        reject(databaseErrors.lockWaitTimeout(schema, this.options.lockTimeoutMs));
      }, this.options.lockTimeoutMs);
      this.waiters.push(grant);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.busy = false;
  }
}
