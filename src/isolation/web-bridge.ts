/**
 * Requests and responses across the boundary, as flat arrays (a compact request and its answer,
 * see protocol.ts): structured clone pays per object and per key, and the object envelopes cost
 * a good part of a small request's crossing. The request carries its head and context; its body
 * follows as a channel stream. A response's body is in the answer itself when it is complete
 * (a string, or bytes transferred: the common case), otherwise a channel stream.
 */
import type { WebRequestContext } from '../api/services.js';
import { RequestContext } from '../web/context.js';
import { partsResponse, untouchedParts } from '../web/fast-response.js';
import { responseSource } from '../web/response-source.js';
import { NO_PARAMS } from '../web/route-pattern.js';
import { wireRequest } from './wire-request.js';
import { rawHeaderList } from '../web/node-headers.js';
import { type Channel, ownBuffer, Reply } from './protocol.js';
import type { LazyAbort } from './lazy-abort.js';

/** Names (lower-case) and values, flat: name, value, name, value… (one array to clone). */
type FlatHeaders = string[];

/** A request as it crosses (after the compact request's id, op and time). */
export type WireRequest = [
  fn: number,
  /** The caller's id for this request, for `cancel`. */
  rid: number,
  method: string,
  url: string,
  headers: FlatHeaders,
  /** Stream id of the body, when there is one. */
  sid: number | undefined,
  module: string,
  path: string,
  subpath: string,
  /** The route's params; undefined when it has none. */
  params: Readonly<Record<string, string>> | undefined,
];

/**
 * A response as it crosses: the body is the whole of it (text or bytes), null for none, or the
 * id of the stream it follows in.
 */
export type WireResponse = [
  status: number,
  statusText: string,
  headers: FlatHeaders,
  body: string | Uint8Array | number | null,
];

const NO_BODY = new Set(['GET', 'HEAD']);

/** Each header of `headers`; Set-Cookie values one by one (forEach joins them with ", "). */
function eachHeader(headers: Headers, each: (name: string, value: string) => void): void {
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') each(name, value);
  });
  for (const cookie of headers.getSetCookie()) each('set-cookie', cookie);
}

/** Headers, flat (see FlatHeaders). */
function flatHeaderList(headers: Headers): FlatHeaders {
  // A request from the Node adapter: its raw list, without building an undici Headers.
  const raw = rawHeaderList(headers);
  if (raw !== undefined) return raw;
  const out: FlatHeaders = [];
  eachHeader(headers, (name, value) => out.push(name, value));
  return out;
}

/** Host side: the request to `fn` as it crosses (the body, if any, starts streaming now). */
export function requestToWire(
  channel: Channel,
  fn: number,
  rid: number,
  request: Request,
  context: WebRequestContext,
): WireRequest {
  const method = request.method;
  const body = NO_BODY.has(method) ? null : request.body;
  const params = context.params;
  return [
    fn,
    rid,
    method,
    request.url,
    flatHeaderList(request.headers),
    body !== null ? channel.sendStream(body) : undefined,
    context.module,
    context.path,
    context.subpath,
    params === NO_PARAMS || Object.keys(params).length === 0 ? undefined : params,
  ];
}

/**
 * Worker side: the Request and context the module's handler receives; the context is the same
 * class as in process (its `url` parsed from the request's on first use).
 */
export function requestFromWire(
  channel: Channel,
  wire: WireRequest,
  abort: LazyAbort,
): { request: Request; context: WebRequestContext } {
  const [, , method, url, headers, sid, module, path, subpath, params] = wire;
  // The body stream exists from the start, so chunks that arrive before it is read wait in it.
  const body = sid !== undefined ? channel.receiveStream(sid) : null;
  const request = wireRequest(method, url, headers, abort, () => body);
  const context = new RequestContext(module, path, subpath, request, params ?? NO_PARAMS);
  return { request, context };
}

/** Whether each name of `flat` appears once (a short list: a linear scan per name). */
function namesOnce(flat: FlatHeaders): boolean {
  if (flat.length > 64) return false;
  for (let i = 2; i < flat.length; i += 2)
    for (let j = 0; j < i; j += 2) if (flat[j] === flat[i]) return false;
  return true;
}

const nextTurn = () => new Promise<'later'>((resolve) => setImmediate(() => resolve('later')));

/**
 * Worker side: the handler's Response as it crosses (at once when its body is whole and known,
 * as for modhost's own responses). `onStreamEnd` runs when a body sent as a stream has been
 * sent (or given up); a whole body is sent with the answer itself.
 */
export function responseToWire(
  channel: Channel,
  response: Response,
  onStreamEnd?: () => void,
): Reply | Promise<Reply> {
  // modhost's own cheap responses (jsonResponse, and Response.json in the worker) are plain fields.
  const parts = untouchedParts(response);
  if (parts !== undefined) {
    const { status, statusText, body } = parts;
    if (body === null || typeof body === 'string')
      return new Reply(
        [status, statusText, parts.flat as FlatHeaders, body] satisfies WireResponse,
        [],
      );
    if (body instanceof Uint8Array) {
      const data = ownBuffer(body);
      const wire: WireResponse = [status, statusText, parts.flat as FlatHeaders, data];
      return new Reply(wire, [data.buffer]);
    }
    // A Blob or a stream: crosses as a stream, below.
  }
  // An undici Response built from a string or bytes: take them without its stream.
  const source = responseSource(response);
  if (source !== undefined) {
    const head = [response.status, response.statusText, flatHeaderList(response.headers)] as const;
    if (typeof source === 'string') return new Reply([...head, source] satisfies WireResponse, []);
    const data = source.slice();
    return new Reply([...head, data] satisfies WireResponse, [data.buffer]);
  }
  return streamedToWire(channel, response, onStreamEnd);
}

/** A body of unknown length: whole if it ends within its first read and the next turn, else a stream. */
async function streamedToWire(
  channel: Channel,
  response: Response,
  onStreamEnd?: () => void,
): Promise<Reply> {
  const status = response.status;
  const statusText = response.statusText;
  const headers = flatHeaderList(response.headers);
  if (response.body === null) return new Reply([status, statusText, headers, null], []);
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) return new Reply([status, statusText, headers, null], []);
  let second: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = reader.read();
  const settled = await Promise.race([second, nextTurn()]);
  if (settled !== 'later' && settled.done) {
    const data = ownBuffer(first.value);
    return new Reply([status, statusText, headers, data] satisfies WireResponse, [data.buffer]);
  }
  // More to come: stream it, starting with what was already read.
  const rest = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(first.value),
    pull: async (c) => {
      const next = await (second ?? reader.read());
      second = undefined;
      if (next.done) c.close();
      else c.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const sid = channel.sendStream(rest, onStreamEnd);
  return new Reply([status, statusText, headers, sid] satisfies WireResponse, []);
}

/** Whether a response went out as a stream (its body follows the answer). */
export function isStreamed(reply: Reply): boolean {
  return typeof (reply.body as WireResponse)[3] === 'number';
}

/**
 * Host side: the Response the host sends. A whole body becomes modhost's cheap response from
 * the parts as they are (undici checked them in the worker when it built the response, or they
 * are a cheap response's own); undici builds one only if something asks, or for what a record
 * cannot hold (a repeated header, as Set-Cookie may be) and for a streamed body.
 */
export function responseFromWire(channel: Channel, wire: WireResponse): Response {
  const [status, statusText, flat, body] = wire;
  if (typeof body !== 'number' && namesOnce(flat))
    return partsResponse({ status, statusText, flat, body });
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  const stream = typeof body === 'number' ? channel.receiveStream(body) : body;
  return new Response(stream as BodyInit | null, { status, statusText, headers: pairs });
}
