/**
 * The engine behind every namespace: PGlite in process, or a PostgreSQL server. Both speak
 * PostgreSQL, so the rest of the database service (transactions, migrations, namespaces) is
 * written once above this interface.
 */
import type { QueryResult } from './types.js';

/** A connection held for a while (a transaction), its search_path set to one schema. */
export interface EngineSession {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult<never>>;
  /** Several statements, no parameters (migrations written as SQL). */
  exec(sql: string): Promise<void>;
}

export interface DatabaseEngine {
  readonly kind: 'embedded' | 'postgres';
  /** Where the data is, for messages and logs; never holds a password. */
  readonly description: string;
  /** One statement with `schema` as the search_path. */
  query(schema: string, sql: string, params?: readonly unknown[]): Promise<QueryResult<never>>;
  /**
   * Holds one connection for `body`. `phase` tells the error mapper whether a broken
   * connection may have lost a COMMIT (so the message can say the outcome is unknown).
   */
  session<T>(
    schema: string,
    body: (session: EngineSession, phase: { committing: boolean }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}
