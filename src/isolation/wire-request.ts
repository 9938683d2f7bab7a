/**
 * The Request an isolated module's handler receives: method, URL, headers and signal answered
 * from the message's plain fields; the real undici Request (with the streamed body) is built
 * only when something else is touched, as the Node adapter does on the host side.
 */
import { installDelegates } from '../web/delegate.js';

interface State {
  method: string;
  url: string;
  headerList: [string, string][];
  headers: Headers | undefined;
  signal: AbortSignal;
  body: () => ReadableStream<Uint8Array> | null;
  real: Request | undefined;
}

const kState = Symbol('modhost.wireRequest');

class WireRequest {
  [kState]: State;
  constructor(state: State) {
    this[kState] = state;
  }
  get method(): string {
    return this[kState].real?.method ?? this[kState].method;
  }
  get url(): string {
    return this[kState].real?.url ?? this[kState].url;
  }
  get headers(): Headers {
    const s = this[kState];
    if (s.real !== undefined) return s.real.headers;
    return (s.headers ??= new Headers(s.headerList));
  }
  get signal(): AbortSignal {
    return this[kState].real?.signal ?? this[kState].signal;
  }
}

function materialise(self: WireRequest): Request {
  const s = self[kState];
  if (s.real === undefined) {
    const body = s.body();
    s.real = new Request(s.url, {
      method: s.method,
      headers: s.headers ?? s.headerList,
      signal: s.signal,
      ...(body !== null ? { body, duplex: 'half' } : {}),
    } as RequestInit);
  }
  return s.real;
}

installDelegates(WireRequest, Request, materialise, new Request('http://localhost/'));

export function wireRequest(
  method: string,
  url: string,
  headerList: [string, string][],
  signal: AbortSignal,
  body: () => ReadableStream<Uint8Array> | null,
): Request {
  return new WireRequest({
    method,
    url,
    headerList,
    headers: undefined,
    signal,
    body,
    real: undefined,
  }) as unknown as Request;
}
