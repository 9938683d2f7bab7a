/**
 * Validation of what a client sends before any routing or handler sees it: the method, the
 * request target and the Host header. Node's parser accepts some of these (a Host such as
 * `999.1.1.1`, an absolute-form target with credentials, TRACE) but the Fetch API cannot hold
 * them, so a handler touching `request.signal`, `body` or `clone()` would throw. They are the
 * client's mistake: answered here with a 4xx/501, never a 500, and never logged as an error.
 */
import { HttpErrors } from '../errors/web-messages.js';
import { normalisePath } from './path.js';

/** What to answer a malformed request: a status and a Matrix-style JSON error body. */
export class RequestProblem {
  constructor(
    readonly status: 400 | 501,
    readonly body: { errcode: string; error: string },
  ) {}
}

/**
 * Methods the Fetch API refuses to represent (CONNECT, TRACE, TRACK): no handler could be given
 * a Request for them, so the server does not implement them (RFC 9110 §15.6.2).
 */
export function isUnsupportedMethod(method: string): boolean {
  return method === 'TRACE' || method === 'CONNECT' || method === 'TRACK';
}

/** Host syntax (RFC 3986 reg-name or IP literal, optional port) without `@ / ? # %` or spaces. */
const HOST_SYNTAX = /^(?:[A-Za-z0-9._~!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/;

/**
 * Hosts already judged, so the URL parser runs once per distinct Host. Bounded: cleared when
 * full, so hostile clients sending many Hosts cost parsing, never memory.
 */
const judged = new Map<string, boolean>();
const JUDGED_MAX = 256;

/** The last Host judged: most connections repeat one Host, and comparing beats hashing it. */
let lastHost: string | undefined;
let lastValid = false;

/** Whether `host` (a Host header value or an authority) is one a URL can hold. */
export function isValidHost(host: string): boolean {
  if (host === '') return true; // allowed when the target has no authority (RFC 9112 §3.2)
  if (host === lastHost) return lastValid;
  const valid = judge(host);
  lastHost = host;
  lastValid = valid;
  return valid;
}

function judge(host: string): boolean {
  const known = judged.get(host);
  if (known !== undefined) return known;
  const valid = HOST_SYNTAX.test(host) && URL.canParse(`http://${host}/`);
  if (judged.size >= JUDGED_MAX) judged.clear();
  judged.set(host, valid);
  return valid;
}

/**
 * The request's path (without the query) for routing, or the problem to answer instead when the
 * request is malformed. `rawHeaders` is Node's flat name/value list.
 */
export function checkRequest(
  method: string,
  target: string,
  rawHeaders: readonly string[],
): string | RequestProblem {
  if (isUnsupportedMethod(method))
    return new RequestProblem(501, HttpErrors.methodNotImplemented(method));
  const hostProblem = checkHostHeaders(rawHeaders);
  if (hostProblem !== undefined) return new RequestProblem(400, hostProblem);
  let path = target;
  if (target.charCodeAt(0) !== 0x2f /* / */ && target !== '*') {
    const origin = originForm(target);
    if (origin === undefined) return new RequestProblem(400, HttpErrors.badTarget);
    path = origin;
  }
  return withoutQuery(path);
}

/** An origin-form target without its query (`/a?b` → `/a`). */
export function withoutQuery(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/**
 * For applications that run their own `node:http` server next to the host (the demo does):
 * the same checks the host's server makes, and the decoded, normalised path to route on, with
 * the query string (`?a=b`, or ''). Route on `path` only: `//x/_matrix/...`, `/a/%2e%2e/b` or
 * an encoded slash then reach exactly what their plain spelling reaches, as in the host.
 */
export function parseRequestTarget(request: {
  method?: string;
  url?: string;
  rawHeaders: readonly string[];
}): { path: string; search: string } | RequestProblem {
  const target = request.url ?? '/';
  const checked = checkRequest(request.method ?? 'GET', target, request.rawHeaders);
  if (checked instanceof RequestProblem) return checked;
  if (checked === '*') return new RequestProblem(400, HttpErrors.asteriskForm);
  const path = normalisePath(checked);
  if (path === undefined) return new RequestProblem(400, HttpErrors.badPath);
  const query = target.indexOf('?');
  return { path, search: query === -1 ? '' : target.slice(query) };
}

/** One Host header with a valid value, or the problem (RFC 9112 §3.2: 400 otherwise). */
function checkHostHeaders(rawHeaders: readonly string[]): HttpError | undefined {
  let host: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 4) continue;
    // Clients send `Host` or `host`: those two spare a lower-casing per request.
    if (name !== 'Host' && name !== 'host' && name.toLowerCase() !== 'host') continue;
    if (host !== undefined) return HttpErrors.duplicateHost;
    host = rawHeaders[i + 1]!;
  }
  if (host !== undefined && !isValidHost(host)) return HttpErrors.badHost;
  return undefined;
}

type HttpError = { errcode: string; error: string };

/**
 * The origin-form path of an absolute-form target (`http://h/p?q` → `/p?q`), or undefined when
 * it is no http(s) URL, carries credentials (a Request cannot hold them), or has a bad host.
 */
function originForm(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return `${url.pathname}${url.search}`;
}
