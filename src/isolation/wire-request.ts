/**
 * The Request an isolated module's handler receives: method, URL, headers and signal answered
 * from the message's plain fields; the real undici Request (with the streamed body) is built
 * only when something else is touched, as the Node adapter does on the host side.
 */
import { installDelegates } from '../web/delegate.js';
import type { LazyAbort } from './lazy-abort.js';

interface State {
  method: string;
  url: string;
  /** Names (lower-case) and values, flat: name, value, name, value… */
  headerList: string[];
  headers: Headers | undefined;
  abort: LazyAbort;
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
    return (s.headers ??= headersOf(s.headerList));
  }
  get signal(): AbortSignal {
    return this[kState].real?.signal ?? this[kState].abort.signal;
  }
}

function materialise(self: WireRequest): Request {
  const s = self[kState];
  if (s.real === undefined) {
    const body = s.body();
    s.real = new Request(s.url, {
      method: s.method,
      headers: s.headers ?? headersOf(s.headerList),
      signal: s.abort.signal,
      ...(body !== null ? { body, duplex: 'half' } : {}),
    } as RequestInit);
  }
  return s.real;
}

function headersOf(flat: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < flat.length; i += 2) headers.append(flat[i]!, flat[i + 1]!);
  return headers;
}

installDelegates(WireRequest, Request, materialise, new Request('http://localhost/'));

export function wireRequest(
  method: string,
  url: string,
  headerList: string[],
  abort: LazyAbort,
  body: () => ReadableStream<Uint8Array> | null,
): Request {
  return new WireRequest({
    method,
    url,
    headerList,
    headers: undefined,
    abort,
    body,
    real: undefined,
  }) as unknown as Request;
}
