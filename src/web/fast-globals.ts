/**
 * The process-wide globals behind the Node fast path. While a modhost HTTP listener runs (and
 * `server.fast_globals` is not false), the global `Response` is modhost's lightweight one and
 * the global `Request` and `fetch` accept the lazy request handlers get, the way
 * @hono/node-server overrides its globals. Why a global: module code writes `new Response(...)`
 * and `Response.json(...)`, and only the global reaches it.
 *
 * - Installed by the first listener, restored when the last one closes (counted), and only where
 *   the global is still ours: a library that replaced it after us keeps its own.
 * - Every Response stays `instanceof Response` whichever global was current when it was built
 *   (real ones too: the replacement's `instanceof` accepts them), and subclasses of the global
 *   get real undici Responses.
 * - An embedder that owns its globals sets `server.fast_globals: false`: handlers then build real
 *   undici objects, which the adapter serves correctly, only slower (see docs/performance.md).
 */
import { FastResponse, prepareFastResponse } from './fast-response.js';
import { kPlatformRequest, kUnwrapsLazyRequest, realRequest } from './node-request.js';

interface Globals {
  Response: typeof Response;
  Request: typeof Request;
  fetch: typeof fetch;
}
type GlobalName = keyof Globals;
const NAMES: readonly GlobalName[] = ['Response', 'Request', 'fetch'];

/**
 * Our globals, built by the first install: reading the platform's `Request` or `fetch` loads
 * undici (about 25 ms in Node 20), which importing modhost must not cost.
 */
let ours: Globals | undefined;

function buildGlobals(): Globals {
  prepareFastResponse();
  const OriginalRequest = globalThis.Request;
  const originalFetch = globalThis.fetch;

  /** `Request` whose constructor unwraps the lazy request (undici's brand check refuses it). */
  class ModhostRequest extends OriginalRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(realRequest(input), init);
    }

    static override [Symbol.hasInstance](value: unknown): boolean {
      const self = this as unknown as typeof ModhostRequest;
      return Function.prototype[Symbol.hasInstance].call(
        self === ModhostRequest ? OriginalRequest : self,
        value,
      );
    }
  }
  Object.defineProperty(ModhostRequest, 'name', { value: 'Request' });
  Object.defineProperty(ModhostRequest, kUnwrapsLazyRequest, { value: true });
  Object.defineProperty(ModhostRequest, kPlatformRequest, { value: OriginalRequest });

  function modhostFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    return originalFetch(realRequest(input), init);
  }
  Object.defineProperty(modhostFetch, 'name', { value: 'fetch' });

  return {
    Response: FastResponse as unknown as typeof Response,
    Request: ModhostRequest as unknown as typeof Request,
    fetch: modhostFetch as typeof fetch,
  };
}

let users = 0;
let saved: Partial<Record<GlobalName, PropertyDescriptor | undefined>> = {};

function setGlobal(name: GlobalName, value: unknown): void {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    writable: true,
    enumerable: false,
    value,
  });
}

/** Whether the fast globals are in place now (the lazy request relies on them on Node 24+). */
export function fastGlobalsInstalled(): boolean {
  return users > 0 && globalThis.Request === ours?.Request;
}

/**
 * Installs the fast globals; returns the function that releases this use of them (the originals
 * come back when the last use is released). Each returned function acts once.
 */
export function installFastGlobals(): () => void {
  if (users++ === 0) {
    const mine = (ours ??= buildGlobals());
    saved = {};
    for (const name of NAMES) {
      // The whole descriptor: Node defines some globals (fetch) as lazy accessors.
      saved[name] = Object.getOwnPropertyDescriptor(globalThis, name);
      setGlobal(name, mine[name]);
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users > 0) return;
    for (const name of NAMES) {
      const descriptor = saved[name];
      if (globalThis[name] !== ours?.[name]) continue; // replaced after us: leave it
      if (descriptor === undefined) Reflect.deleteProperty(globalThis, name);
      else Object.defineProperty(globalThis, name, descriptor);
    }
    saved = {};
  };
}

/**
 * The earlier, narrower opt-in (only `Response.json`); now the same as `installFastGlobals`.
 * @deprecated use `installFastGlobals`, or leave it to the host (`server.fast_globals`).
 */
export const installFastResponseJson = installFastGlobals;
