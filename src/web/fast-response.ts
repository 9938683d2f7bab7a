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
import { isPlainValue, lowerToken } from './header-syntax.js';

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
  /**
   * The headers as a flat `[name, value, …]` list, names lower-case, each name once: what the
   * adapter writes (a plain array walks far cheaper than a null-prototype record). Shared
   * between responses when it holds only a default content type, hence read-only.
   */
  flat: readonly string[];
  /** The same headers as a record (nothing inherited, newHeaderRecord), built when read. */
  readonly headers: Record<string, string>;
  body: FastBody;
}

/** Beyond this many headers, undici builds the response (dedupe here is a linear scan). */
const MAX_PLAIN_HEADERS = 32;

class ResponseState implements FastParts {
  real: Response | undefined = undefined;
  /** `body` was handed out after the real one was built: its stream may be shared. */
  bodyShared = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly flat: readonly string[],
    readonly body: FastBody,
    /** Builds the real Response (Response.redirect needs its own, with immutable headers). */
    readonly make: (state: ResponseState) => Response,
  ) {}

  /** Built when read: only the real Response (built once) and the tests ask for it. */
  get headers(): Record<string, string> {
    const record = newHeaderRecord();
    const flat = this.flat;
    for (let i = 0; i < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
    return record;
  }
}

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

/** Whether the flat list `flat` names `name` (lower-case). */
function hasName(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

/**
 * Plain headers as a flat list, or undefined when undici must see them (to combine, trim,
 * refuse). No headers at all is the shared empty list.
 */
function headerList(init: unknown): string[] | undefined {
  if (init === undefined) return NO_HEADERS;
  if (init === null || typeof init !== 'object') return undefined;
  const out: string[] = [];
  if (init instanceof Headers) {
    // Already validated and normalised; iteration yields each Set-Cookie on its own.
    let plain = true;
    init.forEach((value, name) => {
      if (hasName(out, name) || out.length >= 2 * MAX_PLAIN_HEADERS) plain = false;
      out.push(name, value);
    });
    return plain ? out : undefined;
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

function addPlain(out: string[], name: unknown, value: unknown): boolean {
  const lower = typeof name === 'string' ? lowerToken(name) : undefined;
  if (lower === undefined) return false;
  const text = typeof value === 'string' ? value : String(value);
  if (!isPlainValue(text)) return false;
  if (hasName(out, lower) || out.length >= 2 * MAX_PLAIN_HEADERS) return false;
  out.push(lower, text);
  return true;
}

const NO_HEADERS = Object.freeze([]) as unknown as string[];
/** `[content-type, type]` lists for the types modhost sets itself, shared by every response. */
const TYPE_ONLY = new Map<string, readonly string[]>();

/** `flat` with a Content-Type of `type` unless it names one; `flat` itself when no headers. */
function withType(flat: string[], type: string, known: boolean): readonly string[] {
  if (flat === NO_HEADERS) {
    if (!known) return ['content-type', type];
    let shared = TYPE_ONLY.get(type);
    if (shared === undefined) TYPE_ONLY.set(type, (shared = Object.freeze(['content-type', type])));
    return shared;
  }
  if (!hasName(flat, 'content-type')) flat.push('content-type', type);
  return flat;
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
  let flat: readonly string[] | undefined = headerList(headersInit);
  if (flat === undefined) return undefined;
  if (parts.body !== null) {
    // A type modhost names (JSON, the helpers, text, forms) is a constant: its list is shared.
    if (type !== undefined) flat = withType(flat as string[], type, true);
    // A Blob's own type is the caller's string: not kept in the shared table.
    else if (parts.type !== undefined)
      flat = withType(flat as string[], parts.type, !(parts.body instanceof Blob));
  }
  return new ResponseState(status, statusText, flat, parts.body, buildReal);
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
    const href = redirectHref(url);
    if (href === undefined || !REDIRECT_STATUS.has(status) || !isPlainValue(href))
      return OriginalResponse.redirect(url, status);
    return fromState(
      new ResponseState(status, '', ['location', href], null, () =>
        OriginalResponse.redirect(href, status),
      ),
    );
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

/** The last redirect target parsed: handlers mostly redirect to a few fixed URLs. */
let lastTarget = '';
let lastHref: string | undefined;

/** `url` parsed as Fetch parses a redirect target, or undefined when it is no URL. */
function redirectHref(url: string | URL): string | undefined {
  const text = String(url);
  if (text === lastTarget && lastHref !== undefined) return lastHref;
  let href: string | undefined;
  try {
    href = new URL(text).href;
  } catch {
    return undefined;
  }
  lastTarget = text;
  lastHref = href;
  return href;
}

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
  /** Flat `[name, value, …]`, names lower-case, each once. */
  flat: readonly string[];
  body: string | Uint8Array | null;
}): Response {
  if (!prepared) prepareFastResponse();
  return fromState(
    new ResponseState(parts.status, parts.statusText, parts.flat, parts.body, buildReal),
  );
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

/** `value` is a fast response whose body is still unread: valid to send by construction. */
export function isSendableFast(value: unknown): value is Response {
  return (
    typeof value === 'object' && value !== null && knownSource(value as Response) !== undefined
  );
}

export function isFastResponse(response: Response): boolean {
  return (response as unknown as Partial<FastResponse>)[kState] !== undefined;
}
