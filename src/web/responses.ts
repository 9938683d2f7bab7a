/**
 * The response helpers: `jsonResponse` / `textResponse` / `bytesResponse` return the same
 * lightweight Response as `new Response(...)` does once the fast globals are installed (see
 * fast-response.ts), so they are cheap however the host was started.
 */
import { fastResponse } from './fast-response.js';

export type ResponseBody = string | Uint8Array | null;

/** A JSON response (`application/json`), like `Response.json` but cheap to serve. */
export function jsonResponse(data: unknown, init?: ResponseInit): Response {
  const text = JSON.stringify(data);
  if (text === undefined)
    throw new TypeError(`jsonResponse: ${typeof data} cannot be serialised as JSON`);
  return fastResponse(text, init, 'application/json');
}

/** A text response (`text/plain; charset=utf-8` unless `init` sets a content type). */
export function textResponse(text: string, init?: ResponseInit): Response {
  return fastResponse(text, init, 'text/plain; charset=utf-8');
}

/** A response with a binary body (`application/octet-stream` unless `init` sets a type). */
export function bytesResponse(bytes: Uint8Array, init?: ResponseInit): Response {
  return fastResponse(bytes, init, 'application/octet-stream');
}
