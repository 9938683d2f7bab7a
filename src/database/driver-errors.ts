/**
 * Turns what node-postgres and PGlite throw into one DatabaseError: SQL errors keep their
 * SQLSTATE; broken or refused connections and timeouts get codes of their own.
 */
import {
  DatabaseError,
  databaseErrors,
  type DriverErrorFields,
} from '../errors/database-messages.js';

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Server shutting down / starting / connection failures: the server, not the statement. */
const UNAVAILABLE_STATES = /^(08|57P0[1-3])/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export interface ErrorContext {
  schema: string;
  engine: string;
  sql: string;
  timeoutMs: number;
  committing?: boolean;
}

export function toDatabaseError(err: unknown, ctx: ErrorContext): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const e = (err ?? {}) as DriverErrorFields & { message?: string; errno?: unknown };
  const message = e.message ?? String(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code === '57014' && /statement timeout/i.test(message))
    return databaseErrors.timeout(ctx.schema, ctx.engine, ctx.timeoutMs, 'a statement', err);
  if (code && SQLSTATE.test(code) && !UNAVAILABLE_STATES.test(code))
    return databaseErrors.queryFailed(ctx.schema, ctx.sql, e, err);
  if (/Query read timeout/i.test(message))
    return databaseErrors.timeout(ctx.schema, ctx.engine, ctx.timeoutMs, 'a statement', err);
  if (
    /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(
      message,
    )
  )
    return databaseErrors.timeout(
      ctx.schema,
      ctx.engine,
      ctx.timeoutMs,
      'getting a connection',
      err,
    );
  if (
    (code && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) ||
    /Connection terminated|connection ended|Client has encountered a connection error|not queryable/i.test(
      message,
    )
  )
    return databaseErrors.unavailable(ctx.schema, ctx.engine, code ?? message, err, ctx.committing);
  return databaseErrors.queryFailed(ctx.schema, ctx.sql, { message }, err);
}

/** Whether the connection that raised `err` must not go back to the pool. */
export function breaksConnection(err: DatabaseError): boolean {
  return err.code !== 'MODHOST_DATABASE_QUERY_FAILED';
}
