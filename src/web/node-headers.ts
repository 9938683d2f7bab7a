/**
 * Request headers on the Node fast path: a `Headers` (by `instanceof`) whose `get` and `has`
 * read Node's raw header list directly. Building a real undici Headers costs about a
 * microsecond per request; it is built only when something else is used (iteration, `set`…),
 * and from then on it is the source of truth.
 */
import { installDelegates } from './delegate.js';

const kState = Symbol('modhost.nodeHeaders');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface NodeHeadersState {
  /** Node's `rawHeaders`: name, value, name, value… in arrival order. */
  raw: readonly string[];
  real: Headers | undefined;
}

function checkName(name: string): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Headers.get: "${text}" is an invalid header name.`);
  return text.toLowerCase();
}

class NodeHeaders {
  [kState]: NodeHeadersState;

  constructor(state: NodeHeadersState) {
    this[kState] = state;
  }

  get(name: string): string | null {
    const s = this[kState];
    if (s.real !== undefined) return s.real.get(name);
    const wanted = checkName(name);
    let found: string | null = null;
    const raw = s.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i]!;
      if (key.length === wanted.length && key.toLowerCase() === wanted)
        found = found === null ? raw[i + 1]! : `${found}, ${raw[i + 1]!}`;
    }
    return found;
  }

  has(name: string): boolean {
    const s = this[kState];
    if (s.real !== undefined) return s.real.has(name);
    return this.get(name) !== null;
  }
}

export function materialiseHeaders(self: NodeHeaders): Headers {
  const s = self[kState];
  if (s.real === undefined) {
    const headers = new Headers();
    for (let i = 0; i < s.raw.length; i += 2) {
      try {
        headers.append(s.raw[i]!, s.raw[i + 1]!);
      } catch {
        // A header value Node accepted but the Fetch spec does not; handlers never see it.
      }
    }
    s.real = headers;
  }
  return s.real;
}

/**
 * Whether the delegates are in place. They need the platform's `Headers`, whose first read
 * loads undici (about 25 ms in Node 20): installed with the first stand-in, not at import.
 */
let delegated = false;

export function nodeHeaders(raw: readonly string[]): Headers {
  if (!delegated) {
    installDelegates(NodeHeaders, Headers, materialiseHeaders, new Headers());
    delegated = true;
  }
  return new NodeHeaders({ raw, real: undefined }) as unknown as Headers;
}

/** The real Headers behind a stand-in (built now if needed), or `headers` itself. */
export function realHeaders(headers: Headers): Headers {
  return (headers as unknown as Partial<NodeHeaders>)[kState] !== undefined
    ? materialiseHeaders(headers as unknown as NodeHeaders)
    : headers;
}

/**
 * The headers of a Node fast-path Headers not yet made real, flat (lower-cased name, value, in
 * arrival order), read from Node's raw list without building an undici Headers; undefined for any
 * other Headers. For sending a request's headers to another thread (isolation/web-bridge.ts).
 */
export function rawHeaderList(headers: Headers): string[] | undefined {
  if (!(headers instanceof NodeHeaders)) return undefined;
  const s = headers[kState];
  if (s.real !== undefined) return undefined;
  const raw = s.raw;
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i += 2) {
    out[i] = raw[i]!.toLowerCase();
    out[i + 1] = raw[i + 1]!;
  }
  return out;
}
