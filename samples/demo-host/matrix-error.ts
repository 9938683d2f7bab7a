/** Matrix-style errors: `{errcode, error}` with an HTTP status, as the demo answers them. */
import { carriesHttpStatus, clientErrorBody, HttpError } from 'modhost';

export function matrixError(
  status: number,
  errcode: string,
  message: string,
  fields: Record<string, unknown> = {},
): HttpError {
  return new HttpError(status, errcode, message, fields);
}

/**
 * Status and body for any error: its own HTTP answer if it carries one (an `HttpError` thrown by
 * the demo or a module, a `ModuleFailedError` from a wrapping callback policy), else a bare 500.
 */
export function errorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  // A module failure's body says what Synapse would: no callback or module name.
  if (carriesHttpStatus(error)) return { status: error.status, body: clientErrorBody(error) };
  return { status: 500, body: { errcode: 'M_UNKNOWN', error: 'Internal server error' } };
}
