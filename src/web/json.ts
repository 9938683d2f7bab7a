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

export function isBadJson(err: unknown): err is ModhostError {
  return err instanceof ModhostError && err.code === ErrorCode.WEB_BAD_JSON;
}
