/**
 * Messages of the database area. Each names the namespace (module) at fault; none ever shows
 * a connection URL's password (the engine's description is redacted before it gets here).
 */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';

/** A failed statement, carrying PostgreSQL's fields so modules can match on `sqlState`. */
export class DatabaseError extends ModhostError {
  override name = 'DatabaseError';
  /** SQLSTATE, e.g. `23505` (unique violation), when the server reported one. */
  readonly sqlState?: string;
  readonly detail?: string;
  readonly constraint?: string;
  readonly table?: string;
  /** 1-based character offset of the error in the statement, when the server reported one. */
  readonly position?: number;
  constructor(code: ErrorCode, message: string, fields: DriverErrorFields, cause: unknown) {
    super(code, message, { cause });
    if (fields.code) this.sqlState = fields.code;
    if (fields.detail) this.detail = fields.detail;
    if (fields.constraint) this.constraint = fields.constraint;
    if (fields.table) this.table = fields.table;
    if (fields.position) this.position = Number(fields.position);
  }
}

/** The fields node-postgres and PGlite both put on a server error. */
export interface DriverErrorFields {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  position?: string | number;
}

const SERIALISATION = new Set(['40001', '40P01']);

export function isSerialisationFailure(err: unknown): boolean {
  return (
    err instanceof DatabaseError && err.sqlState !== undefined && SERIALISATION.has(err.sqlState)
  );
}

function truncate(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

export const databaseErrors = {
  queryFailed(
    schema: string,
    sql: string,
    fields: DriverErrorFields,
    cause: unknown,
  ): DatabaseError {
    const state = fields.code ? ` (SQLSTATE ${fields.code})` : '';
    const detail = fields.detail ? `; ${fields.detail}` : '';
    return new DatabaseError(
      ErrorCode.DATABASE_QUERY_FAILED,
      `database ${schema}: ${fields.message ?? String(cause)}${state}${detail}, in: ${truncate(sql)}`,
      fields,
      cause,
    );
  },

  unavailable(
    schema: string,
    engine: string,
    reason: string,
    cause: unknown,
    duringCommit = false,
  ): DatabaseError {
    const outcome = duringCommit
      ? '; the transaction may or may not have been committed (check before retrying)'
      : '; nothing was committed';
    return new DatabaseError(
      ErrorCode.DATABASE_UNAVAILABLE,
      `database ${schema}: ${engine} is unavailable (${reason})${outcome}. ` +
        'The host reconnects by itself when the server is back.',
      {},
      cause,
    );
  },

  timeout(schema: string, engine: string, ms: number, what: string, cause: unknown): DatabaseError {
    return new DatabaseError(
      ErrorCode.DATABASE_TIMEOUT,
      `database ${schema}: ${what} took longer than database.query_timeout (${ms} ms) on ${engine}`,
      {},
      cause,
    );
  },

  lockWaitTimeout(schema: string, ms: number): DatabaseError {
    return new DatabaseError(
      ErrorCode.DATABASE_TIMEOUT,
      `database ${schema}: waited ${ms} ms (database.query_timeout) for the embedded engine, ` +
        'which runs one statement or transaction at a time; a transaction held it all along. ' +
        'Inside transaction(async (tx) => ...), run statements through tx.query, not the database',
      {},
      undefined,
    );
  },

  migrationFailed(
    schema: string,
    owner: string,
    index: number,
    id: string,
    sql: string | undefined,
    cause: unknown,
  ): ModhostError {
    const err = cause as DriverErrorFields & { message?: string };
    const position = err.position !== undefined ? Number(err.position) : undefined;
    let where = '';
    if (sql !== undefined && position !== undefined && position > 0) {
      const before = sql.slice(0, position - 1).split('\n');
      where = ` at line ${before.length}, column ${before[before.length - 1]!.length + 1} of its SQL`;
    }
    const state = err.code && /^[0-9A-Z]{5}$/.test(err.code) ? ` (SQLSTATE ${err.code})` : '';
    return new ModhostError(
      ErrorCode.DATABASE_MIGRATION_FAILED,
      `${owner}: migration ${index + 1} "${id}" failed${where}: ${err.message ?? String(cause)}${state}. ` +
        `No migration of this start was applied to schema ${schema}: the database is as it was. ` +
        'Fix the migration and start again',
      { cause },
    );
  },

  migrationsInvalid(owner: string, problem: string): ModhostError {
    return new ModhostError(ErrorCode.DATABASE_MIGRATION_FAILED, `${owner}: migrations ${problem}`);
  },

  appliedUnknown(owner: string, schema: string, ids: readonly string[]): ModhostError {
    return new ModhostError(
      ErrorCode.DATABASE_MIGRATION_FAILED,
      `${owner}: schema ${schema} has migration(s) ${ids.map((i) => `"${i}"`).join(', ')} applied that ` +
        'the module no longer declares (a downgrade, or a migration renamed or removed); ' +
        'migrations are append-only: keep applied ones in the list, add new ones at its end',
    );
  },

  appliedOutOfOrder(owner: string, schema: string, id: string, before: string): ModhostError {
    return new ModhostError(
      ErrorCode.DATABASE_MIGRATION_FAILED,
      `${owner}: migration "${id}" is declared before "${before}", which schema ${schema} already has ` +
        'applied while it has not; add new migrations at the end of the list',
    );
  },

  inUse(dir: string, pid: number): ModhostError {
    return new ModhostError(
      ErrorCode.DATABASE_IN_USE,
      `database.path ${dir} is in use by process ${pid}: the embedded engine serves one host ` +
        'process at a time. Stop that process, give this one another database.path, or share a ' +
        'PostgreSQL between instances with database.url',
    );
  },

  openFailed(dir: string, cause: unknown): ModhostError {
    return new ModhostError(
      ErrorCode.DATABASE_UNAVAILABLE,
      `the embedded database at ${dir} could not be opened: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  },

  txEnded(schema: string): ModhostError {
    return new ModhostError(
      ErrorCode.DATABASE_MISUSE,
      `database ${schema}: a statement ran on a transaction that has already ended; ` +
        'await every tx.query inside the transaction body',
    );
  },

  namespaceInvalid(name: string, why: string): ModhostError {
    return new ModhostError(ErrorCode.DATABASE_MISUSE, `database namespace "${name}": ${why}`);
  },

  closed(schema: string): ModhostError {
    return new ModhostError(
      ErrorCode.DATABASE_UNAVAILABLE,
      `database ${schema}: the host has stopped and closed its database`,
    );
  },
};
