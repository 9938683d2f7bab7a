/** Matrix-style errors: `{errcode, error}` with an HTTP status, as the demo answers them. */
import { HttpError } from 'modhost';

export function matrixError(
  status: number,
  errcode: string,
  message: string,
  fields: Record<string, unknown> = {},
): HttpError {
  return new HttpError(status, errcode, message, fields);
}

/** Status and body for any error: its own HTTP answer if it carries one, else a bare 500. */
export function errorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  const e = error as {
    status?: unknown;
    errcode?: unknown;
    message?: unknown;
    additionalFields?: Record<string, unknown>;
  };
  if (
    e !== null &&
    typeof e === 'object' &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status <= 599 &&
    typeof e.errcode === 'string'
  ) {
    return {
      status: e.status,
      body: { ...e.additionalFields, errcode: e.errcode, error: String(e.message ?? '') },
    };
  }
  return { status: 500, body: { errcode: 'M_UNKNOWN', error: 'Internal server error' } };
}
