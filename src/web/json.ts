/**
 * JSON helpers for handlers. `readJson` throws WEB_BAD_JSON, which the server answers with
 * 400 `M_NOT_JSON`; `jsonResponse` builds a response the server can write without copying.
 */
import { ErrorCode, ModhostError } from '../errors/index.js';
import { WEB_EMPTY_JSON_BODY, webBadJson } from '../errors/web-messages.js';

export { jsonResponse, textResponse, bytesResponse } from './responses.js';

/** The request body parsed as JSON; a clear 400 (via the server) when it is not JSON. */
export async function readJson<T = unknown>(request: Request): Promise<T> {
  const text = await request.text();
  if (text.trim() === '') throw new ModhostError(ErrorCode.WEB_BAD_JSON, WEB_EMPTY_JSON_BODY);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ModhostError(ErrorCode.WEB_BAD_JSON, webBadJson((err as Error).message), {
      cause: err,
    });
  }
}

/**
 * What `request.json()` rejects with on a body that is not JSON: a SyntaxError, as Fetch
 * specifies (handlers may catch it as one), carrying the WEB_BAD_JSON code so that, left to
 * propagate, the server answers 400 M_NOT_JSON exactly as for `readJson`.
 */
export class RequestJsonError extends SyntaxError {
  override name = 'SyntaxError';
  readonly code = ErrorCode.WEB_BAD_JSON;
}

/** `request.json()` semantics for a body already read as text. */
export function parseRequestJson(text: string): unknown {
  if (text.trim() === '') throw new RequestJsonError(WEB_EMPTY_JSON_BODY);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RequestJsonError(webBadJson((err as Error).message), { cause: err });
  }
}

export function isBadJson(err: unknown): err is ModhostError | RequestJsonError {
  return (
    (err instanceof ModhostError || err instanceof RequestJsonError) &&
    err.code === ErrorCode.WEB_BAD_JSON
  );
}
