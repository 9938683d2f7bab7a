/**
 * The shared engine: a PostgreSQL server through node-postgres. One small pool per namespace,
 * its connections opened with that namespace's search_path (as Backstage gives each plugin its
 * own database), so no statement ever pays for switching. Every wait is bounded: getting a
 * connection by `connect_timeout`, a statement by `query_timeout` (server-side
 * statement_timeout and client-side, for a server that stopped answering). A connection that
 * broke is destroyed, never reused; the pool opens fresh ones when the server is back.
 */
import type { Pool, PoolClient } from 'pg';
import { redactUrl } from '../config/redact.js';
import type { DatabaseConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { breaksConnection, toDatabaseError } from './driver-errors.js';
import type { DatabaseEngine, EngineSession } from './engine.js';
import type { QueryResult } from './types.js';

type PgModule = (typeof import('pg'))['default'];

export class PostgresEngine implements DatabaseEngine {
  readonly kind = 'postgres';
  readonly description: string;
  private readonly pools = new Map<string, Pool>();

  private constructor(
    private readonly pg: PgModule,
    private readonly config: DatabaseConfig & { url: string },
    private readonly logger: Logger,
  ) {
    this.description = `PostgreSQL at ${redactUrl(new URL(config.url))}`;
  }

  static async open(
    config: DatabaseConfig & { url: string },
    logger: Logger,
  ): Promise<PostgresEngine> {
    const pg = (await import('pg')).default;
    return new PostgresEngine(pg, config, logger);
  }

  query(schema: string, sql: string, params?: readonly unknown[]): Promise<QueryResult<never>> {
    return this.pool(schema)
      .query(sql, params as unknown[] | undefined)
      .then(
        (result) => ({
          rows: result.rows as never[],
          rowCount: result.rowCount ?? result.rows.length,
        }),
        (err: unknown) => {
          throw toDatabaseError(err, this.context(schema, sql));
        },
      );
  }

  async session<T>(
    schema: string,
    body: (session: EngineSession, phase: { committing: boolean }) => Promise<T>,
  ): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool(schema).connect();
    } catch (err) {
      throw toDatabaseError(err, this.context(schema, '(connect)'));
    }
    const phase = { committing: false };
    let broken: Error | undefined;
    // A checked-out client has no pool listener: its connection breaking must not crash the
    // process. The statement in flight rejects on its own; the client is destroyed at release.
    const onError = (err: Error) => {
      broken ??= err;
    };
    client.on('error', onError);
    const run = async (sql: string, params?: readonly unknown[]) => {
      try {
        return await client.query(sql, params as unknown[] | undefined);
      } catch (err) {
        const mapped = toDatabaseError(err, {
          ...this.context(schema, sql),
          committing: phase.committing,
        });
        if (breaksConnection(mapped)) broken = mapped;
        throw mapped;
      }
    };
    const session: EngineSession = {
      query: async (sql, params) => {
        const result = await run(sql, params);
        return { rows: result.rows as never[], rowCount: result.rowCount ?? result.rows.length };
      },
      exec: async (sql) => {
        await run(sql);
      },
    };
    try {
      return await body(session, phase);
    } finally {
      // A broken connection is destroyed (release(err)); a healthy one goes back to the pool.
      client.off('error', onError);
      client.release(broken ?? false);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  }

  private pool(schema: string): Pool {
    let pool = this.pools.get(schema);
    if (pool) return pool;
    const { config } = this;
    pool = new this.pg.Pool({
      connectionString: config.url,
      max: config.pool_size,
      connectionTimeoutMillis: config.connect_timeout,
      query_timeout: config.query_timeout,
      statement_timeout: config.query_timeout,
      idleTimeoutMillis: 10_000,
      // Schema names are [a-z0-9_] only (schema-names.ts), so no quoting is needed here.
      options: `-c search_path=${schema}`,
      application_name: 'modhost',
      keepAlive: true,
    });
    // An idle connection the server closed must not crash the process: the pool drops it.
    pool.on('error', (err) =>
      this.logger.warn({ schema, err: err.message }, 'an idle database connection broke'),
    );
    this.pools.set(schema, pool);
    return pool;
  }

  private context(schema: string, sql: string) {
    return { schema, engine: this.description, sql, timeoutMs: this.config.query_timeout };
  }
}
