/**
 * What a module sees of the database: its own SQL namespace (a PostgreSQL schema) on either
 * engine, with one dialect (PostgreSQL's) and one result shape. `ModuleDatabase` is both the
 * type and the injection token: `constructor(private readonly db: ModuleDatabase)`.
 */

/** Rows of a statement, as node-postgres gives them (int8 and numeric as strings, on both engines). */
export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

/** What runs statements: the database itself, or a transaction inside `transaction()`. */
export interface Queryable {
  /** One statement; `$1`, `$2`… are bound to `params` (never interpolate values into SQL). */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** Default `read committed`, PostgreSQL's. */
  isolation?: IsolationLevel;
  /**
   * Attempts in all when PostgreSQL reports a serialisation failure or a deadlock (SQLSTATE
   * 40001, 40P01): the body runs again from the start, so it must not have side effects outside
   * the database. Default 5.
   */
  attempts?: number;
}

/**
 * One migration: `up` is SQL (several statements allowed) or a function given the transaction.
 * Migrations run in the order given, each at most once per namespace; `id` is what is recorded.
 */
export interface Migration {
  id: string;
  up: string | ((tx: Queryable) => Promise<unknown>);
}

/** A module's (or a host namespace's) database. */
export abstract class ModuleDatabase implements Queryable {
  /** The PostgreSQL schema statements run in (`mod_<module>` or `host_<name>`). */
  abstract readonly schema: string;
  /** `embedded` (PGlite) or `postgres`. */
  abstract readonly engine: 'embedded' | 'postgres';
  abstract query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /**
   * Runs `body` in a transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Inside it, run statements through `tx`, not through the database.
   */
  abstract transaction<T>(
    body: (tx: Queryable) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /**
   * Applies the migrations not yet applied to this namespace, in order, in one transaction:
   * all of them or none. Across instances only one runs them (an advisory lock); the others
   * wait and find them applied. A module's static `migrations` are run this way at start.
   */
  abstract migrate(migrations: readonly Migration[]): Promise<string[]>;
}
