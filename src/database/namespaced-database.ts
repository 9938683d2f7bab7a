/**
 * ModuleDatabase over an engine, for one namespace. The engine opens (and its driver loads) on
 * the first statement, not before: a host whose modules never touch the database pays nothing.
 * After that, a statement is one call into the engine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '../errors/codes.js';
import { isSerialisationFailure, databaseErrors } from '../errors/database-messages.js';
import { ModhostError } from '../errors/modhost-error.js';
import type { DatabaseEngine } from './engine.js';
import { checkMigrations } from './migrations.js';
import {
  type Migration,
  ModuleDatabase,
  type IsolationLevel,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
} from './types.js';

const ISOLATION: readonly IsolationLevel[] = ['read committed', 'repeatable read', 'serializable'];

/** What a namespace needs from the service that owns the engine. */
export interface NamespaceHost {
  readonly kind: 'embedded' | 'postgres';
  /** The engine, opened, with `schema` created. */
  ready(schema: string): Promise<DatabaseEngine>;
  migrate(schema: string, owner: string, migrations: readonly Migration[]): Promise<string[]>;
}

export class NamespacedDatabase extends ModuleDatabase {
  readonly engine: 'embedded' | 'postgres';
  /** Set once the engine is open and the schema exists: the fast path. */
  private live?: DatabaseEngine;

  constructor(
    readonly schema: string,
    /** Who owns it, for messages: `module account_validity`, `host namespace demo`. */
    readonly owner: string,
    private readonly host: NamespaceHost,
  ) {
    super();
    this.engine = host.kind;
  }

  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    const live = this.live;
    if (live) return live.query(this.schema, sql, params) as Promise<QueryResult<R>>;
    return this.open().then(
      (engine) => engine.query(this.schema, sql, params) as Promise<QueryResult<R>>,
    );
  }

  async transaction<T>(
    body: (tx: Queryable) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const isolation = options.isolation;
    if (isolation !== undefined && !ISOLATION.includes(isolation))
      throw new ModhostError(
        ErrorCode.DATABASE_MISUSE,
        `database ${this.schema}: isolation ${JSON.stringify(isolation)} is not one of ${ISOLATION.join(', ')}`,
      );
    const attempts = options.attempts ?? 5;
    const engine = this.live ?? (await this.open());
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(engine, body, isolation);
      } catch (err) {
        if (attempt >= attempts || !isSerialisationFailure(err)) throw err;
        // Back off a little, more each time, with jitter so the conflicting ones spread out.
        await sleep(Math.floor(Math.random() * 10 * attempt) + 1);
      }
    }
  }

  migrate(migrations: readonly Migration[]): Promise<string[]> {
    return this.host.migrate(this.schema, this.owner, checkMigrations(this.owner, migrations));
  }

  private once<T>(
    engine: DatabaseEngine,
    body: (tx: Queryable) => Promise<T>,
    isolation: IsolationLevel | undefined,
  ): Promise<T> {
    return engine.session(this.schema, async (s, phase) => {
      await s.query(isolation ? `begin isolation level ${isolation}` : 'begin');
      let ended = false;
      const tx: Queryable = {
        query: <R>(sql: string, params?: readonly unknown[]) =>
          ended
            ? Promise.reject(databaseErrors.txEnded(this.schema))
            : (s.query(sql, params) as Promise<QueryResult<R>>),
      };
      try {
        const value = await body(tx);
        phase.committing = true;
        await s.query('commit');
        return value;
      } catch (err) {
        if (!phase.committing) await s.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        ended = true;
      }
    });
  }

  private async open(): Promise<DatabaseEngine> {
    const engine = await this.host.ready(this.schema);
    this.live = engine;
    return engine;
  }
}
