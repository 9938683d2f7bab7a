/**
 * Requests and responses across the boundary: the head (method, URL, headers, status) in the
 * message, the body as a channel stream. A response whose body is complete after its first
 * chunk (JSON, text: the common case) travels in the response message itself, transferred.
 */
import { bytesResponse, textResponse } from '../web/responses.js';
import { untouchedParts } from '../web/fast-response.js';
import { responseSource } from '../web/response-source.js';
import { crossingProblem } from './crossing.js';
import { wireRequest } from './wire-request.js';
import { rawHeaderList } from '../web/node-headers.js';
import { type Channel, ownBuffer, Reply } from './protocol.js';
import type { LazyAbort } from './lazy-abort.js';

export interface WireRequest {
  /** The caller's id for this request, for `cancel`. */
  rid: number;
  method: string;
  url: string;
  /** Flat: name (lower-case), value, name, value… (one array to clone, not one per header). */
  headers: string[];
  /** Stream id of the body, when there is one. */
  sid?: number;
  /** The request context's plain fields; URL values as `{ href }` under `urls`. */
  context: Record<string, unknown>;
  urls: string[];
}

export interface WireResponse {
  status: number;
  statusText?: string;
  headers: [string, string][] | Record<string, string>;
  /** The whole body as text (a string-bodied response). */
  text?: string;
  /** The whole body, when it was complete in one chunk. */
  data?: Uint8Array;
  /** Stream id of the body otherwise. */
  sid?: number;
}

const NO_BODY = new Set(['GET', 'HEAD']);

/** Each header of `headers`; Set-Cookie values one by one (forEach joins them with ", "). */
function eachHeader(headers: Headers, each: (name: string, value: string) => void): void {
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') each(name, value);
  });
  for (const cookie of headers.getSetCookie()) each('set-cookie', cookie);
}

/** A request's headers, flat (see WireRequest.headers). */
function flatHeaderList(headers: Headers): string[] {
  // A request from the Node adapter: its raw list, without building an undici Headers.
  const raw = rawHeaderList(headers);
  if (raw !== undefined) return raw;
  const out: string[] = [];
  eachHeader(headers, (name, value) => out.push(name, value));
  return out;
}

/** A response's headers, as pairs (a HeadersInit the host's Response takes as it is). */
function headerList(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  eachHeader(headers, (name, value) => out.push([name, value]));
  return out;
}

/** Host side: the request as it crosses (the body, if any, starts streaming now). */
export function requestToWire(
  channel: Channel,
  rid: number,
  request: Request,
  context: object,
): WireRequest {
  const ctx: Record<string, unknown> = {};
  const urls: string[] = [];
  for (const [k, v] of Object.entries(context)) {
    // The context's own Request (behind its `url`) stays here: the request itself crosses.
    if (v instanceof Request) continue;
    if (v instanceof URL) {
      ctx[k] = v.href;
      urls.push(k);
    } else if (crossingProblem(v) === undefined) ctx[k] = v;
  }
  const body = NO_BODY.has(request.method) ? null : request.body;
  return {
    rid,
    method: request.method,
    url: request.url,
    headers: flatHeaderList(request.headers),
    ...(body !== null ? { sid: channel.sendStream(body) } : {}),
    context: ctx,
    urls,
  };
}

/** Worker side: the Request and context the module's handler receives. */
export function requestFromWire(
  channel: Channel,
  wire: WireRequest,
  abort: LazyAbort,
): { request: Request; context: Record<string, unknown> } {
  // The body stream exists from the start, so chunks that arrive before it is read wait in it.
  const body = wire.sid !== undefined ? channel.receiveStream(wire.sid) : null;
  const context = { ...wire.context };
  for (const k of wire.urls) context[k] = new URL(context[k] as string);
  const request = wireRequest(wire.method, wire.url, wire.headers, abort, () => body);
  return { request, context };
}

const nextTurn = () => new Promise<'later'>((resolve) => setImmediate(() => resolve('later')));

/**
 * Worker side: the handler's Response as it crosses. `onStreamEnd` runs when a body sent as a
 * stream has been sent (or given up); a whole body is sent with the reply itself.
 */
export async function responseToWire(
  channel: Channel,
  response: Response,
  onStreamEnd?: () => void,
): Promise<Reply> {
  // modhost's own cheap responses (jsonResponse, and Response.json in the worker) are plain fields.
  const parts = untouchedParts(response);
  if (parts !== undefined) {
    const { status, headers, body } = parts;
    const head = parts.statusText !== '' ? { status, statusText: parts.statusText } : { status };
    if (body === null || typeof body === 'string')
      return new Reply({ ...head, headers, ...(body !== null ? { text: body } : {}) }, []);
    if (body instanceof Uint8Array) {
      const data = ownBuffer(body);
      return new Reply({ ...head, headers, data }, [data.buffer]);
    }
    // A Blob or a stream: crosses as a stream, below.
  }
  // An undici Response built from a string or bytes: take them without its stream.
  const source = responseSource(response);
  if (source !== undefined) {
    const head = { status: response.status, statusText: response.statusText };
    const headers = headerList(response.headers);
    if (typeof source === 'string') return new Reply({ ...head, headers, text: source }, []);
    const data = source.slice();
    return new Reply({ ...head, headers, data }, [data.buffer]);
  }
  const head: WireResponse = {
    status: response.status,
    statusText: response.statusText,
    headers: headerList(response.headers),
  };
  if (response.body === null) return new Reply(head, []);
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) return new Reply(head, []);
  let second: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = reader.read();
  const settled = await Promise.race([second, nextTurn()]);
  if (settled !== 'later' && settled.done) {
    const data = ownBuffer(first.value);
    return new Reply({ ...head, data }, [data.buffer]);
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
  return new Reply({ ...head, sid: channel.sendStream(rest, onStreamEnd) }, []);
}

/** Host side: the Response the host sends. */
export function responseFromWire(channel: Channel, wire: WireResponse): Response {
  const init = { status: wire.status, headers: wire.headers };
  // Whole bodies become modhost's cheap responses (undici builds one only if something asks).
  if (wire.statusText === undefined || wire.statusText === '') {
    if (wire.text !== undefined) return textResponse(wire.text, init);
    if (wire.data !== undefined) return bytesResponse(wire.data, init);
  }
  if (wire.text !== undefined)
    return new Response(wire.text, { ...init, statusText: wire.statusText });
  const body =
    wire.data !== undefined
      ? (wire.data as Uint8Array<ArrayBuffer>)
      : wire.sid !== undefined
        ? channel.receiveStream(wire.sid)
        : null;
  return new Response(body, {
    status: wire.status,
    statusText: wire.statusText,
    headers: wire.headers,
  });
}
