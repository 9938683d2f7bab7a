/**
 * The request object handlers get on the Node fast path: a `Request` (by `instanceof`) whose
 * `method`, `url`, `headers`, `text()`, `json()` and `arrayBuffer()` are answered straight from
 * Node's IncomingMessage, computed on first use. Anything rarer (`signal`, `body`, `clone()`,
 * `formData()`…) builds a real undici Request once and forwards to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { installDelegates } from './delegate.js';
import { nodeBodyStream, readNodeBody } from './body.js';
import { parseRequestJson } from './json.js';
import { nodeHeaders, realHeaders } from './node-headers.js';

const kState = Symbol('modhost.nodeRequest');

interface NodeRequestState {
  incoming: IncomingMessage;
  response: ServerResponse;
  method: string;
  /** Used when the Host header is missing or unusable. */
  fallbackHost: string;
  limit: number;
  url: string | undefined;
  headers: Headers | undefined;
  real: Request | undefined;
  /** The body was read through the fast path. */
  consumed: boolean;
  /** Behind `signal`, once materialised. */
  controller: AbortController | undefined;
  /** Set by `abortNodeRequest` (e.g. server.handler_timeout): the reason `signal` aborts with. */
  abortReason: unknown;
}

const SAFE_HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

function bodyUnusable(): Promise<never> {
  return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
}

class NodeRequest {
  [kState]: NodeRequestState;

  constructor(state: NodeRequestState) {
    this[kState] = state;
  }

  get method(): string {
    return this[kState].method;
  }

  get url(): string {
    const s = this[kState];
    if (s.url === undefined) {
      const host = this.headers.get('host') ?? undefined;
      const authority = host !== undefined && SAFE_HOST.test(host) ? host : s.fallbackHost;
      const target = s.incoming.url ?? '/';
      s.url = target.startsWith('/') ? `http://${authority}${target}` : target;
    }
    return s.url;
  }

  get headers(): Headers {
    const s = this[kState];
    if (s.real !== undefined) return s.real.headers;
    if (s.headers === undefined) s.headers = nodeHeaders(s.incoming.rawHeaders);
    return s.headers;
  }

  get bodyUsed(): boolean {
    const s = this[kState];
    return s.real !== undefined ? s.real.bodyUsed : s.consumed;
  }

  text(): Promise<string> {
    return this.readBuffer().then((b) => b.toString('utf8'));
  }

  json(): Promise<unknown> {
    return this.text().then(parseRequestJson);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.readBuffer().then(
      (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer,
    );
  }

  /** The whole body, read once, under the size limit. */
  private readBuffer(): Promise<Buffer> {
    const s = this[kState];
    if (s.real !== undefined) return s.real.arrayBuffer().then((ab) => Buffer.from(ab));
    if (s.consumed) return bodyUnusable();
    s.consumed = true;
    return readNodeBody(s.incoming, s.limit);
  }
}

/** The state behind a real Request handed out in place of the lazy one (see nodeRequest). */
const stateOfReal = new WeakMap<Request, NodeRequestState>();

function materialiseRequest(self: NodeRequest): Request {
  const s = self[kState];
  if (s === undefined) return self as unknown as Request;
  if (s.real === undefined) {
    const hasBody = s.method !== 'GET' && s.method !== 'HEAD' && !s.consumed;
    // `request.signal` aborts when the client goes away before the response is sent.
    const controller = new AbortController();
    s.controller = controller;
    if (s.abortReason !== undefined) controller.abort(s.abortReason);
    const response = s.response;
    if (response.writableFinished || response.destroyed) {
      if (!response.writableFinished) controller.abort();
    } else {
      response.once('close', () => {
        if (!response.writableFinished) controller.abort();
      });
    }
    s.real = new Request(self.url, {
      method: s.method,
      headers: realHeaders(self.headers),
      body: hasBody ? nodeBodyStream(s.incoming, s.limit) : null,
      signal: controller.signal,
      duplex: 'half',
    } as RequestInit);
    stateOfReal.set(s.real, s);
  }
  return s.real;
}

/** Set on a global `Request` whose constructor unwraps the lazy request (fast-globals.ts). */
export const kUnwrapsLazyRequest = Symbol.for('modhost.unwrapsLazyRequest');
/** On that global: the platform's own `Request` it extends. */
export const kPlatformRequest = Symbol.for('modhost.platformRequest');

/**
 * Whether undici's own `new Request(lazy)` works: it does where undici reads its slots through
 * symbol-keyed properties (which the stand-in forwards; Node 20, 22), not where it checks a
 * private-field brand (Node 24+). Probed once, with a stand-in that is already real.
 */
function probeNativeWrap(Platform: typeof Request): boolean {
  const real = new Platform('http://probe.invalid/p', { method: 'PUT', body: 'x' });
  const standIn = Object.create(NodeRequest.prototype) as NodeRequest;
  standIn[kState] = { real } as NodeRequestState;
  try {
    const wrapped = new Platform(standIn as unknown as Request);
    return wrapped.url === real.url && wrapped.method === 'PUT';
  } catch {
    return false;
  }
}

/**
 * The delegates and the probe need the platform's `Request`, whose first read loads undici
 * (about 25 ms in Node 20): done when the first lazy request is made, not at import.
 */
let nativeWrapWorks: boolean | undefined;

function prepareNodeRequest(): boolean {
  // The platform's class even when modhost's global is already installed: the delegates must
  // come from undici's prototype (the subclass defines none of them), and the probe must not
  // be answered by modhost's own unwrapping constructor.
  const current = globalThis.Request as unknown as { [kPlatformRequest]?: typeof Request };
  const Platform = current[kPlatformRequest] ?? (current as unknown as typeof Request);
  installDelegates(NodeRequest, Platform, materialiseRequest, new Platform('http://localhost/'));
  return (nativeWrapWorks = probeNativeWrap(Platform));
}

/** Handing out the lazy request is safe: `new Request(req)` will work in the handler. */
function lazyRequestUsable(): boolean {
  return (
    (nativeWrapWorks ?? prepareNodeRequest()) ||
    (globalThis.Request as unknown as Record<symbol, unknown>)[kUnwrapsLazyRequest] === true
  );
}

/** The real Request behind a lazy one (built now if needed); anything else unchanged. */
export function realRequest<T>(input: T): T {
  return input instanceof NodeRequest ? (materialiseRequest(input) as T) : input;
}

export function nodeRequest(
  incoming: IncomingMessage,
  response: ServerResponse,
  method: string,
  fallbackHost: string,
  limit: number,
): Request {
  const request = new NodeRequest({
    incoming,
    response,
    method,
    fallbackHost,
    limit,
    url: undefined,
    headers: undefined,
    real: undefined,
    consumed: false,
    controller: undefined,
    abortReason: undefined,
  });
  // Without a global that unwraps it, a real Request (slower, but `new Request(req)` works).
  return (lazyRequestUsable() ? request : materialiseRequest(request)) as unknown as Request;
}

/** Aborts `request.signal` of a request made by `nodeRequest` (now, or when first read). */
export function abortNodeRequest(request: Request, reason: unknown): void {
  const s = (request as unknown as Partial<NodeRequest>)[kState] ?? stateOfReal.get(request);
  if (s === undefined || s.abortReason !== undefined) return;
  s.abortReason = reason;
  s.controller?.abort(reason);
}
