/**
 * Responses that are cheap to build and cheap to write. `jsonResponse` / `textResponse` return a
 * `Response` (by `instanceof`) that keeps its status, headers and body as plain fields; the Node
 * adapter writes those directly. Touching anything else (`headers`, `body`, `clone()`…) turns it
 * into a real undici Response, which then becomes the source of truth.
 */
import { installDelegates } from './delegate.js';

export type ResponseBody = string | Uint8Array | null;

const kFast = Symbol('modhost.fastResponse');

interface FastState {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: ResponseBody;
  real: Response | undefined;
}

class FastResponse {
  [kFast]: FastState;

  constructor(state: FastState) {
    this[kFast] = state;
  }

  get status(): number {
    const s = this[kFast];
    return s.real === undefined ? s.status : s.real.status;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }
}

function materialiseResponse(self: FastResponse): Response {
  const s = self[kFast];
  if (s.real === undefined) {
    s.real = new Response(s.body as BodyInit | null, { status: s.status, headers: s.headers });
  }
  return s.real;
}

installDelegates(FastResponse, Response, materialiseResponse, new Response(null));

/**
 * The plain fields of a fast response that is still untouched, for the Node adapter; `undefined`
 * for any other response (including a fast one that became real).
 */
export function fastResponseParts(
  response: Response,
): { status: number; headers: Record<string, string>; body: ResponseBody } | undefined {
  const state = (response as unknown as Partial<FastResponse>)[kFast];
  return state === undefined || state.real !== undefined ? undefined : state;
}

/** A real undici Response with the same content (for `host.fetch`, which returns real ones). */
export function toRealResponse(response: Response): Response {
  const state = (response as unknown as Partial<FastResponse>)[kFast];
  return state === undefined ? response : materialiseResponse(response as unknown as FastResponse);
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

function headerRecord(init: HeadersInit | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  const entries: unknown[] = [];
  if (init instanceof Headers) init.forEach((value, name) => entries.push([name, value]));
  const list =
    init instanceof Headers
      ? entries
      : Array.isArray(init)
        ? init
        : Object.entries(init as Record<string, string>);
  for (const entry of list) {
    const [name, value] = entry as [string, string];
    const lower = String(name).toLowerCase();
    // Repeated headers (Set-Cookie above all) need a real Headers object.
    if (lower in out || lower === 'set-cookie') return undefined;
    out[lower] = String(value);
  }
  return out;
}

function build(body: ResponseBody, init: ResponseInit | undefined, contentType: string): Response {
  const status = init?.status ?? 200;
  const headers = headerRecord(init?.headers);
  if (
    headers === undefined ||
    init?.statusText !== undefined ||
    !Number.isInteger(status) ||
    status < 200 ||
    status > 599 ||
    NULL_BODY_STATUS.has(status)
  ) {
    // Unusual input: let undici build (and validate) it.
    const real = new Response(body as BodyInit | null, init);
    if (body !== null && !real.headers.has('content-type'))
      real.headers.set('content-type', contentType);
    return real;
  }
  if (body !== null && headers['content-type'] === undefined) headers['content-type'] = contentType;
  return new FastResponse({ status, headers, body, real: undefined }) as unknown as Response;
}

/** A JSON response (`application/json`), like `Response.json` but cheap to serve. */
export function jsonResponse(data: unknown, init?: ResponseInit): Response {
  const text = JSON.stringify(data);
  if (text === undefined)
    throw new TypeError(`jsonResponse: ${typeof data} cannot be serialised as JSON`);
  return build(text, init, 'application/json');
}

/** A text response (`text/plain; charset=utf-8` unless `init` sets a content type). */
export function textResponse(text: string, init?: ResponseInit): Response {
  return build(text, init, 'text/plain; charset=utf-8');
}

/** A response with a binary body (`application/octet-stream` unless `init` sets a type). */
export function bytesResponse(bytes: Uint8Array, init?: ResponseInit): Response {
  return build(bytes, init, 'application/octet-stream');
}
