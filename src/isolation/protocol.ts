/**
 * The isolation boundary: the one message protocol between the host and an isolated module's
 * worker thread. Requests carry ids and get one response each; events are one-way; bodies move
 * as transferred ArrayBuffers in `chunk` events of a numbered stream. Both sides use this file
 * and nothing else to talk, so what crosses is all here.
 */
import { HttpError } from '../callbacks/http-error.js';
import type { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';

/** What both a Worker and a worker's parentPort offer. */
export interface Port {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export type WireMessage =
  | { t: 'req'; id: number; op: string; body: unknown }
  | { t: 'ok'; id: number; body: unknown }
  | { t: 'err'; id: number; error: WireError }
  | { t: 'evt'; op: string; body: unknown }
  | { t: 'chunk'; sid: number; data: Uint8Array }
  | { t: 'end'; sid: number; error?: WireError };

/** An error as it crosses: name, message, stack and the plain fields callers look at. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  fields?: Record<string, unknown>;
}

const ERROR_FIELDS = ['code', 'status', 'errcode', 'additionalFields'] as const;

export function encodeError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: Record<string, unknown> = {};
  for (const f of ERROR_FIELDS) {
    const v = (error as unknown as Record<string, unknown>)[f];
    if (v !== undefined && typeof v !== 'function') fields[f] = v;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

export function decodeError(wire: WireError): Error {
  const f = wire.fields ?? {};
  const error =
    wire.name === 'HttpError' && typeof f.status === 'number' && typeof f.errcode === 'string'
      ? new HttpError(f.status, f.errcode, wire.message, (f.additionalFields ?? {}) as never)
      : typeof f.code === 'string' && f.code.startsWith('MODHOST_')
        ? Object.assign(new ModhostError(f.code as ErrorCode, wire.message), f)
        : Object.assign(new Error(wire.message), f);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

type Handler = (body: unknown) => unknown;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One side of the boundary: requests out, handlers for requests and events in, streams. */
export class Channel {
  private nextId = 1;
  private nextStream = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Handler>();
  /** Streams from the other side by id; chunks wait in `queue` until a reader attaches. */
  private readonly incoming = new Map<number, Inbox>();
  private closedWith: (() => Error) | undefined;

  constructor(private readonly port: Port) {
    port.on('message', (m) => this.receive(m as WireMessage));
  }

  /** Serves requests (the handler's result or rejection is the response) and events of `op`. */
  handle(op: string, handler: Handler): void {
    this.handlers.set(op, handler);
  }

  request<T = unknown>(op: string, body: unknown, transfer?: readonly Transferable[]): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ t: 'req', id, op, body } satisfies WireMessage, transfer);
    });
  }

  notify(op: string, body: unknown, transfer?: readonly Transferable[]): void {
    if (!this.closedWith)
      this.port.postMessage({ t: 'evt', op, body } satisfies WireMessage, transfer);
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** The other side is gone: every pending request rejects with `error()`, later ones too. */
  close(error: () => Error): void {
    this.closedWith = error;
    for (const p of this.pending.values()) p.reject(error());
    this.pending.clear();
    for (const inbox of this.incoming.values()) inbox.finish(error());
    this.incoming.clear();
  }

  /** Sends `stream` chunk by chunk (each chunk's buffer transferred); returns its stream id. */
  sendStream(stream: ReadableStream<Uint8Array>): number {
    const sid = this.nextStream++;
    void this.pump(sid, stream.getReader());
    return sid;
  }

  private async pump(sid: number, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.closedWith) return void reader.cancel().catch(() => undefined);
        if (done) break;
        const data = ownBuffer(value);
        this.port.postMessage({ t: 'chunk', sid, data } satisfies WireMessage, [data.buffer]);
      }
      this.port.postMessage({ t: 'end', sid } satisfies WireMessage);
    } catch (error) {
      if (!this.closedWith)
        this.port.postMessage({ t: 'end', sid, error: encodeError(error) } satisfies WireMessage);
    }
  }

  /** The stream the other side sends as `sid`. */
  receiveStream(sid: number): ReadableStream<Uint8Array> {
    const inbox = this.inbox(sid);
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (this.closedWith) controller.error(this.closedWith());
        else inbox.attach(controller);
      },
      cancel: () => {
        this.incoming.delete(sid);
      },
    });
  }

  private inbox(sid: number): Inbox {
    let inbox = this.incoming.get(sid);
    if (inbox === undefined) this.incoming.set(sid, (inbox = new Inbox()));
    return inbox;
  }

  private receive(m: WireMessage): void {
    switch (m.t) {
      case 'ok':
      case 'err': {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        this.pending.delete(m.id);
        if (m.t === 'ok') p.resolve(m.body);
        else p.reject(decodeError(m.error));
        return;
      }
      case 'req':
        return this.serve(m.id, m.op, m.body);
      case 'evt':
        try {
          this.handlers.get(m.op)?.(m.body);
        } catch {
          // an event handler's failure is its own to report
        }
        return;
      case 'chunk':
        return this.inbox(m.sid).push(m.data);
      case 'end': {
        const inbox = this.inbox(m.sid);
        this.incoming.delete(m.sid);
        return inbox.finish(m.error ? decodeError(m.error) : undefined);
      }
    }
  }

  private serve(id: number, op: string, body: unknown): void {
    const handler = this.handlers.get(op);
    const reply = (value: unknown) => {
      const transfer = value instanceof Reply ? value.transfer : undefined;
      const out = value instanceof Reply ? value.body : value;
      try {
        this.port.postMessage({ t: 'ok', id, body: out } satisfies WireMessage, transfer);
      } catch (error) {
        fail(error);
      }
    };
    const fail = (error: unknown) =>
      this.port.postMessage({ t: 'err', id, error: encodeError(error) } satisfies WireMessage);
    if (handler === undefined) return fail(new Error(`no handler for ${op}`));
    let result: unknown;
    try {
      result = handler(body);
    } catch (error) {
      return fail(error);
    }
    if (result instanceof Promise) result.then(reply, fail);
    else reply(result);
  }
}

/** One incoming stream: chunks and the end queue up until its ReadableStream starts. */
class Inbox {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private queue: Uint8Array[] = [];
  private ended: { error?: Error } | undefined;

  attach(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
    for (const chunk of this.queue) controller.enqueue(chunk);
    this.queue = [];
    if (this.ended) this.finish(this.ended.error);
  }

  push(chunk: Uint8Array): void {
    if (this.controller) this.controller.enqueue(chunk);
    else this.queue.push(chunk);
  }

  finish(error?: Error): void {
    if (!this.controller) {
      this.ended = error ? { error } : {};
      return;
    }
    try {
      if (error) this.controller.error(error);
      else this.controller.close();
    } catch {
      // the reader cancelled it already
    }
  }
}

/** A response body with buffers to transfer rather than copy. */
export class Reply {
  constructor(
    readonly body: unknown,
    readonly transfer: readonly Transferable[],
  ) {}
}

/** `chunk` as a Uint8Array owning its whole buffer, so transferring it moves nothing else. */
export function ownBuffer(chunk: Uint8Array): Uint8Array {
  if (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) return chunk;
  return chunk.slice();
}
