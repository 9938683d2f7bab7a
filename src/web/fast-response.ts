/**
 * A lightweight Response, after @hono/node-server: `new FastResponse(body, init)` keeps status,
 * headers and body as plain fields, which the Node adapter writes directly. Anything else a caller
 * touches (`headers`, `body`, `clone()`, `text()`…) builds the real undici Response once, and
 * from then on that object is the source of truth. Building the real one costs more than the rest
 * of a small request (in Node 20 a web stream per string body), hence the laziness.
 *
 * Exactness: input undici would treat in any way other than the plain case (a status out of
 * range, a header value it would trim or refuse, a repeated header name, a locked stream, FormData…)
 * is handed to undici at once, so it throws or normalises exactly as undici does. Only public
 * Fetch behaviour is relied upon; undici's internals are never read here.
 */
import * as nodeStream from 'node:stream';
import { installDelegates } from './delegate.js';

const kState = Symbol('modhost.fastResponse');

/** `stream.isDisturbed` (public since Node 16.8, missing from @types/node 20); feature-detected. */
const isDisturbed = (nodeStream as unknown as { isDisturbed?: (s: unknown) => boolean })
  .isDisturbed;
const kOriginal = Symbol.for('modhost.originalResponse');

/**
 * The platform's Response, even when another copy of modhost has the global replaced by its own
 * FastResponse. Looked up on first use, not at import: in Node 20 the first read of the global
 * `Response` loads undici (about 25 ms), which `modhost check` and a host that never builds a
 * response must not pay. Set by `prepareFastResponse()`, which every entry point calls first.
 */
export let OriginalResponse: typeof Response;
let prepared = false;

/** Binds the platform's Response and the delegating members (once, on first use). */
export function prepareFastResponse(): void {
  if (prepared) return;
  prepared = true;
  OriginalResponse =
    (globalThis.Response as unknown as { [kOriginal]?: typeof Response })[kOriginal] ??
    globalThis.Response;
  realGet = Object.fromEntries(
    ['status', 'statusText', 'type', 'url', 'redirected', 'bodyUsed', 'body'].map((name) => [
      name,
      Object.getOwnPropertyDescriptor(OriginalResponse.prototype, name)!.get!,
    ]),
  ) as Record<string, (this: unknown) => any>;
  Object.defineProperty(FastResponse, kOriginal, { value: OriginalResponse });
  installDelegates(FastResponse, OriginalResponse, materialise, new OriginalResponse(null));
}

/** The platform's Response (binding it now if nothing has yet). */
export function originalResponse(): typeof Response {
  prepareFastResponse();
  return OriginalResponse;
}

/** A body the Node adapter can write without a real Response. */
export type FastBody = string | Uint8Array | Blob | ReadableStream<Uint8Array> | null;

export interface FastParts {
  status: number;
  /** '' = the standard reason phrase. */
  statusText: string;
  /** Lower-case names; nothing inherited (newHeaderRecord). */
  headers: Record<string, string>;
  body: FastBody;
}

interface ResponseState extends FastParts {
  /** Builds the real Response (Response.redirect needs its own, with immutable headers). */
  make: (state: ResponseState) => Response;
  real: Response | undefined;
  /** `body` was handed out after the real one was built: its stream may be shared. */
  bodyShared: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value undici keeps unchanged: no surrounding whitespace, no CR/LF/NUL, Latin-1. */
const PLAIN_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
const NULL_BODY_STATUS = new Set([204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

const TEXT_TYPE = 'text/plain;charset=UTF-8';
const FORM_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

function buildReal(s: ResponseState): Response {
  return new OriginalResponse(s.body as BodyInit | null, {
    status: s.status,
    statusText: s.statusText,
    headers: s.headers,
  });
}

/**
 * An empty header record: no Object.prototype behind it (a header named `constructor` or
 * `__proto__` is just a header, and a polluted prototype adds none), yet in V8's fast mode.
 * `Object.create(null)` gives a dictionary-mode object, whose every new key went through the
 * runtime and kept the function adding it from being optimised: about half a microsecond per
 * response.
 */
const HeaderRecord = function HeaderRecord() {} as unknown as new () => Record<string, string>;
HeaderRecord.prototype = Object.create(null) as object;

export function newHeaderRecord(): Record<string, string> {
  return new HeaderRecord();
}

/** Plain headers as a record, or undefined when undici must see them (to combine, trim, refuse). */
function headerRecord(init: unknown): Record<string, string> | undefined {
  const out = newHeaderRecord();
  if (init === undefined) return out;
  if (init === null || typeof init !== 'object') return undefined;
  if (init instanceof Headers) {
    // Already validated and normalised; iteration yields each Set-Cookie on its own.
    let repeated = false;
    init.forEach((value, name) => {
      if (name in out) repeated = true;
      out[name] = value;
    });
    return repeated ? undefined : out;
  }
  if (Array.isArray(init)) {
    for (const pair of init as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2) return undefined;
      if (!addPlain(out, pair[0], pair[1])) return undefined;
    }
    return out;
  }
  if (Symbol.iterator in init || Object.getOwnPropertySymbols(init).length > 0) return undefined;
  const record = init as Record<string, unknown>;
  for (const name of Object.keys(record)) if (!addPlain(out, name, record[name])) return undefined;
  return out;
}

function addPlain(out: Record<string, string>, name: unknown, value: unknown): boolean {
  if (typeof name !== 'string' || !TOKEN.test(name)) return false;
  const text = typeof value === 'string' ? value : String(value);
  if (!PLAIN_VALUE.test(text)) return false;
  const lower = name.toLowerCase();
  if (lower in out) return false;
  out[lower] = text;
  return true;
}

/** The body as the adapter keeps it, with undici's default content type; undefined = not plain. */
function plainBody(body: unknown): { body: FastBody; type: string | undefined } | undefined {
  if (body === null || body === undefined) return { body: null, type: undefined };
  if (typeof body === 'string') return { body, type: TEXT_TYPE };
  // Fetch copies a BufferSource when the Response is built: later writes to it do not show.
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body.slice(0)), type: undefined };
  if (ArrayBuffer.isView(body) && body.buffer instanceof ArrayBuffer)
    return {
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice(),
      type: undefined,
    };
  if (body instanceof Blob) return { body, type: body.type === '' ? undefined : body.type };
  if (body instanceof URLSearchParams) return { body: body.toString(), type: FORM_TYPE };
  if (body instanceof ReadableStream) {
    // Undici refuses a locked or already read stream: let it say so.
    if (body.locked || isDisturbed === undefined || isDisturbed(body)) return undefined;
    return { body: body as ReadableStream<Uint8Array>, type: undefined };
  }
  return undefined; // FormData, strings in disguise…: undici's own rules
}

/** The state for `new Response(body, init)`, or undefined to let undici build it. */
function plainState(
  body: unknown,
  init: unknown,
  /** Replaces undici's default content type for this body (JSON, the helpers). */
  type?: string,
): ResponseState | undefined {
  let status = 200;
  let statusText = '';
  let headersInit: unknown;
  if (init !== undefined && init !== null) {
    if (typeof init !== 'object') return undefined;
    const i = init as ResponseInit;
    if (i.status !== undefined) {
      if (typeof i.status !== 'number' || !Number.isInteger(i.status)) return undefined;
      status = i.status;
    }
    if (i.statusText !== undefined) {
      if (typeof i.statusText !== 'string' || !REASON.test(i.statusText)) return undefined;
      statusText = i.statusText;
    }
    headersInit = i.headers;
  }
  if (status < 200 || status > 599) return undefined;
  const parts = plainBody(body);
  if (parts === undefined) return undefined;
  if (parts.body !== null && NULL_BODY_STATUS.has(status)) return undefined;
  const headers = headerRecord(headersInit);
  if (headers === undefined) return undefined;
  const contentType = parts.body === null ? undefined : (type ?? parts.type);
  if (contentType !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = contentType;
  return {
    status,
    statusText,
    headers,
    body: parts.body,
    make: buildReal,
    real: undefined,
    bodyShared: false,
  };
}

export class FastResponse {
  declare [kState]: ResponseState;

  constructor(body?: unknown, init?: unknown) {
    if (!prepared) prepareFastResponse();
    // A subclass (`class X extends Response`) gets a real Response with its own prototype.
    if (new.target !== FastResponse)
      return Reflect.construct(OriginalResponse, [body, init], new.target) as FastResponse;
    const state = plainState(body, init);
    if (state === undefined)
      return new OriginalResponse(
        body as BodyInit,
        init as ResponseInit,
      ) as unknown as FastResponse;
    this[kState] = state;
  }

  /** `Response.json`: JSON text with `application/json`, unless init sets a type. */
  static json(data: unknown, init?: ResponseInit): Response {
    if (!prepared) prepareFastResponse();
    const text = JSON.stringify(data);
    if (text !== undefined) {
      const state = plainState(text, init, 'application/json');
      if (state !== undefined) return fromState(state);
    }
    return OriginalResponse.json(data, init); // throws, or validates unusual init, as undici does
  }

  /** `Response.redirect`: Location set, no body; the real one has immutable headers. */
  static redirect(url: string | URL, status = 302): Response {
    if (!prepared) prepareFastResponse();
    let href: string | undefined;
    try {
      href = new URL(String(url)).href;
    } catch {
      href = undefined;
    }
    if (href === undefined || !REDIRECT_STATUS.has(status) || !PLAIN_VALUE.test(href))
      return OriginalResponse.redirect(url, status);
    const headers = newHeaderRecord();
    headers.location = href;
    return fromState({
      status,
      statusText: '',
      headers,
      body: null,
      make: () => OriginalResponse.redirect(href, status),
      real: undefined,
      bodyShared: false,
    });
  }

  static error(): Response {
    return originalResponse().error();
  }

  /** Every Response is an instance, fast or real (`instanceof Response` stays true for both). */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (!prepared) prepareFastResponse();
    const self = this as unknown as typeof FastResponse;
    return Function.prototype[Symbol.hasInstance].call(
      self === FastResponse ? OriginalResponse : self,
      value,
    );
  }

  get status(): number {
    const s = this[kState];
    return s !== undefined && s.real === undefined ? s.status : realGet.status.call(real(this));
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }

  get statusText(): string {
    const s = this[kState];
    return s !== undefined && s.real === undefined
      ? s.statusText
      : realGet.statusText.call(real(this));
  }

  get type(): ResponseType {
    const s = this[kState];
    return s !== undefined && s.real === undefined ? 'default' : realGet.type.call(real(this));
  }

  get url(): string {
    const s = this[kState];
    return s !== undefined && s.real === undefined ? '' : realGet.url.call(real(this));
  }

  get redirected(): boolean {
    const s = this[kState];
    return s !== undefined && s.real === undefined ? false : realGet.redirected.call(real(this));
  }

  get bodyUsed(): boolean {
    const s = this[kState];
    return s !== undefined && s.real === undefined ? false : realGet.bodyUsed.call(real(this));
  }

  get body(): ReadableStream<Uint8Array> | null {
    const s = this[kState];
    const target = materialise(this);
    if (s !== undefined) s.bodyShared = true;
    return realGet.body.call(target);
  }
}

/** The real getters, called on the real object (or on a subclass instance, itself real). */
let realGet: Record<string, (this: unknown) => any>;

function real(self: FastResponse): unknown {
  return self[kState]?.real ?? self;
}

Object.defineProperty(FastResponse, 'name', { value: 'Response' });

function fromState(state: ResponseState): Response {
  const response = Object.create(FastResponse.prototype) as FastResponse;
  response[kState] = state;
  return response as unknown as Response;
}

function materialise(self: FastResponse): Response {
  const s = self[kState];
  if (s === undefined) return self as unknown as Response; // a real subclass instance
  s.real ??= s.make(s);
  return s.real;
}

/**
 * A fast response for the helpers (`jsonResponse`, `textResponse`, `bytesResponse`), with their
 * own content type unless `init` sets one; unusual `init` gets a real Response, as before.
 */
export function fastResponse(
  body: FastBody,
  init: ResponseInit | undefined,
  type: string,
): Response {
  if (!prepared) prepareFastResponse();
  const state = plainState(body, init, type);
  if (state !== undefined) return fromState(state);
  const real = new OriginalResponse(body as BodyInit | null, init);
  if (body !== null && !real.headers.has('content-type')) real.headers.set('content-type', type);
  return real;
}

/**
 * A fast response from parts that are a valid response's already: an isolated module's, as its
 * worker sent them (status in range, headers plain, lower-case and each once; a body no null-body
 * status forbids). Nothing is checked again, nor a content type added: it is sent as it was.
 */
export function partsResponse(parts: {
  status: number;
  statusText: string;
  /** Made by newHeaderRecord. */
  headers: Record<string, string>;
  body: string | Uint8Array | null;
}): Response {
  if (!prepared) prepareFastResponse();
  // The same shape as plainState's, so the adapter's reads of it stay monomorphic.
  return fromState({
    status: parts.status,
    statusText: parts.statusText,
    headers: parts.headers,
    body: parts.body,
    make: buildReal,
    real: undefined,
    bodyShared: false,
  });
}

/** The parts of a fast response nobody has touched yet; undefined for any other response. */
export function untouchedParts(response: Response): FastParts | undefined {
  const s = (response as unknown as Partial<FastResponse>)[kState];
  return s === undefined || s.real !== undefined ? undefined : s;
}

/**
 * What a fast response's body was built from, when the real Response built since then still has
 * that body unread and unshared (its headers or status may have changed: read those from it).
 */
export function knownSource(response: Response): FastBody | undefined {
  const s = (response as unknown as Partial<FastResponse>)[kState];
  if (s === undefined) return undefined;
  if (s.real === undefined) return s.body;
  if (s.bodyShared || s.real.bodyUsed) return undefined;
  return s.body;
}

/** The real undici Response behind `response` (built now if needed), or `response` itself. */
export function realResponse(response: Response): Response {
  return materialise(response as unknown as FastResponse);
}

/** Bytes in a body of known size; undefined for a stream (or no known body). */
export function bodySize(body: FastBody | undefined): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return undefined;
}

export function isFastResponse(response: Response): boolean {
  return (response as unknown as Partial<FastResponse>)[kState] !== undefined;
}
