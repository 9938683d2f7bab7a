/**
 * `api.database` in an isolated module. The embedded engine (PGlite) cannot be opened twice on
 * one data directory, and a PostgreSQL pool per thread would multiply connections, so the
 * worker's database is a proxy: each statement is a request to the host's database service.
 * A transaction is held open on the host (one session, pinned to one connection) between the
 * worker's `db:begin` and `db:end`; when the worker ends (stuck, crashed, restarted, stopped)
 * the host rolls back every transaction it left open, so none leaks and none blocks the others.
 *
 * Ops, worker to host: `db:query`, `db:begin`, `db:tx` (a statement in a transaction), `db:end`
 * (commit or roll back), `db:migrate`; host to worker: `db:up` (a migration whose `up` is a
 * function of the worker's, run with a transaction held on the host).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DatabaseError,
  databaseErrors,
  isSerialisationFailure,
} from '../errors/database-messages.js';
import type { ErrorCode } from '../errors/codes.js';
import { isolationErrors } from '../errors/isolation-messages.js';
import {
  type Migration,
  ModuleDatabase,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
} from '../database/types.js';
import { crossingProblem } from './crossing.js';
import { type Channel, decodeError, encodeError, type WireError } from './protocol.js';

/** What a database op answers: its value, or the error with PostgreSQL's fields kept. */
type DbReply = { v: unknown } | { e: WireError; sql?: SqlFields };

interface SqlFields {
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  position?: number;
}

/** Raised inside the host's transaction body when the worker asks for a rollback. */
const ROLLBACK = Symbol('rollback');

function toReply(error: unknown): DbReply {
  if (!(error instanceof DatabaseError)) return { e: encodeError(error) };
  const { sqlState, detail, constraint, table, position } = error;
  return { e: encodeError(error), sql: { code: sqlState, detail, constraint, table, position } };
}

function fromReply<T>(reply: DbReply): T {
  if ('v' in reply) return reply.v as T;
  const { e, sql } = reply;
  if (sql === undefined) throw decodeError(e);
  // Rebuilt as a DatabaseError so `instanceof`, `sqlState` and retries behave as in process.
  const code = e.fields?.code as ErrorCode;
  const error = new DatabaseError(code, e.message, sql, undefined);
  if (e.stack !== undefined) error.stack = e.stack;
  throw error;
}

/** node-postgres gives bytea as a Buffer; structured clone makes it a plain Uint8Array. */
function asBuffer(v: unknown): unknown {
  return v instanceof Uint8Array && !Buffer.isBuffer(v)
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    : v;
}

function buffers(params: unknown[] | undefined): unknown[] | undefined {
  return params?.map(asBuffer);
}

function rowsWithBuffers<R>(result: QueryResult): QueryResult<R> {
  for (const row of result.rows) for (const k in row) row[k] = asBuffer(row[k]);
  return result as QueryResult<R>;
}

interface OpenTx {
  tx: Queryable;
  /** Ends a transaction the worker began (commit or not); absent for a migration's. */
  finish?: (commit: boolean) => void;
  outcome?: Promise<void>;
}

/** Host side: serves one worker's database ops on its channel, for the module's namespace. */
export class DatabaseServer {
  private readonly open = new Map<number, OpenTx>();
  private nextTx = 1;

  constructor(
    private readonly channel: Channel,
    private readonly db: () => ModuleDatabase,
  ) {
    const serve = (op: string, fn: (body: never) => Promise<unknown>) =>
      channel.handle(op, (body) =>
        fn(body as never).then(
          (v): DbReply => ({ v }),
          (e: unknown) => toReply(e),
        ),
      );
    serve('db:query', (b: { sql: string; params?: unknown[] }) =>
      this.db().query(b.sql, buffers(b.params)),
    );
    serve('db:begin', (b: { isolation?: TransactionOptions['isolation'] }) =>
      this.begin(b.isolation),
    );
    serve('db:tx', (b: { tx: number; sql: string; params?: unknown[] }) => {
      const open = this.open.get(b.tx);
      if (open === undefined) return Promise.reject(databaseErrors.txEnded(this.db().schema));
      return open.tx.query(b.sql, buffers(b.params));
    });
    serve('db:end', (b: { tx: number; commit: boolean }) => this.end(b.tx, b.commit));
    serve('db:migrate', (b: { migrations: { id: string; up: string | { $fn: number } }[] }) =>
      this.db().migrate(
        b.migrations.map(({ id, up }) => ({
          id,
          up: typeof up === 'string' ? up : (tx: Queryable) => this.runUp(up.$fn, tx),
        })),
      ),
    );
  }

  /** Transactions open now (a test checks that none outlives its worker). */
  get openTransactions(): number {
    return this.open.size;
  }

  /** The worker is gone: roll back every transaction it left open. */
  rollbackAll(): void {
    for (const [id, open] of this.open) {
      this.open.delete(id);
      open.finish?.(false);
    }
  }

  private async begin(isolation: TransactionOptions['isolation']): Promise<number> {
    const id = this.nextTx++;
    let finish!: (commit: boolean) => void;
    const decided = new Promise<boolean>((resolve) => (finish = resolve));
    let began!: (tx: Queryable) => void;
    const ready = new Promise<Queryable>((resolve) => (began = resolve));
    // One attempt here: a serialisation failure goes back to the worker, whose body reruns.
    const outcome = this.db().transaction(
      async (tx) => {
        began(tx);
        if (!(await decided)) throw ROLLBACK;
      },
      { ...(isolation !== undefined ? { isolation } : {}), attempts: 1 },
    );
    outcome.catch(() => undefined);
    const tx = await Promise.race([
      ready,
      outcome.then(() => {
        throw new Error('the transaction ended before it began');
      }),
    ]);
    this.open.set(id, { tx, finish, outcome });
    return id;
  }

  private async end(id: number, commit: boolean): Promise<void> {
    const open = this.open.get(id);
    if (open?.finish === undefined) throw databaseErrors.txEnded(this.db().schema);
    this.open.delete(id);
    open.finish(commit);
    try {
      await open.outcome;
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
  }

  /** A migration's function `up` lives in the worker: it runs there with this transaction. */
  private async runUp(fn: number, tx: Queryable): Promise<void> {
    const id = this.nextTx++;
    this.open.set(id, { tx });
    try {
      await this.channel.request('db:up', { fn, tx: id });
    } finally {
      this.open.delete(id);
    }
  }
}

/** Worker side: the module's `ModuleDatabase`, every call a request to the host. */
export class ChannelDatabase extends ModuleDatabase {
  private readonly ups = new Map<number, (tx: Queryable) => Promise<unknown>>();
  private nextUp = 1;

  constructor(
    private readonly channel: Channel,
    private readonly module: string,
    readonly schema: string,
    readonly engine: 'embedded' | 'postgres',
  ) {
    super();
    channel.handle('db:up', async (body) => {
      const { fn, tx } = body as { fn: number; tx: number };
      const up = this.ups.get(fn);
      if (up === undefined) throw new Error(`no migration function ${fn}`);
      await up(this.txProxy(tx, () => false));
    });
  }

  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    return this.statement<R>('db:query', { sql }, params);
  }

  async transaction<T>(
    body: (tx: Queryable) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const id = await this.ask<number>('db:begin', { isolation: options.isolation });
      let ended = false;
      try {
        const value = await body(this.txProxy(id, () => ended));
        ended = true;
        await this.ask('db:end', { tx: id, commit: true });
        return value;
      } catch (err) {
        if (!ended) {
          ended = true;
          await this.ask('db:end', { tx: id, commit: false }).catch(() => undefined);
        }
        if (attempt >= attempts || !isSerialisationFailure(err)) throw err;
        // As in process: back off a little, more each time, with jitter.
        await sleep(Math.floor(Math.random() * 10 * attempt) + 1);
      }
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<string[]> {
    // The list's shape is checked on the host (the same messages); functions stay here.
    const wire = Array.isArray(migrations)
      ? migrations.map((m: Migration) => {
          if (typeof m?.up !== 'function') return m;
          const fn = this.nextUp++;
          this.ups.set(fn, m.up);
          return { id: m.id, up: { $fn: fn } };
        })
      : migrations;
    const problem = crossingProblem(wire);
    if (problem)
      throw isolationErrors.cannotCross(
        this.module,
        'the migrations given to api.database.migrate',
        problem.where,
        problem.problem,
      );
    return this.ask<string[]>('db:migrate', { migrations: wire });
  }

  private txProxy(id: number, ended: () => boolean): Queryable {
    return {
      query: <R>(sql: string, params?: readonly unknown[]) =>
        ended()
          ? Promise.reject(databaseErrors.txEnded(this.schema))
          : this.statement<R>('db:tx', { tx: id, sql }, params),
    };
  }

  /** One statement; parameters that cannot cross reject it, as a driver would. */
  private async statement<R>(
    op: string,
    body: object,
    params: readonly unknown[] | undefined,
  ): Promise<QueryResult<R>> {
    this.check(params);
    return rowsWithBuffers<R>(await this.ask<QueryResult>(op, { ...body, params }));
  }

  private check(params: readonly unknown[] | undefined): void {
    if (params === undefined) return;
    for (let i = 0; i < params.length; i++) {
      const problem = crossingProblem(params[i]);
      if (problem)
        throw isolationErrors.cannotCross(
          this.module,
          `query parameter $${i + 1} (database ${this.schema})`,
          problem.where,
          problem.problem,
        );
    }
  }

  private async ask<T>(op: string, body: unknown): Promise<T> {
    return fromReply<T>(await this.channel.request<DbReply>(op, body));
  }
}
