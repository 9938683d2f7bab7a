/**
 * The isolation boundary: the one message protocol between the host and an isolated module's
 * worker thread. Requests carry ids and get one response each; events are one-way; bodies move
 * as transferred ArrayBuffers in `chunk` events of a numbered stream. Both sides use this file
 * and nothing else to talk, so what crosses is all here.
 *
 * Streams are flow-controlled by credit: a sender has at most STREAM_WINDOW bytes sent and not
 * yet taken by the receiving stream's reader, and reads its source only while under it; the
 * receiver gives the bytes back (`credit`) as its reader takes them. So a slow reader on one
 * side holds the producer on the other (and, through it, the socket it reads from) instead of
 * letting chunks pile up in the receiving thread.
 */
import type { MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { HttpError } from '../callbacks/http-error.js';
import type { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';
import { pollPort, type PollStats, SpinWindow, TurnBudget } from './halt-poll.js';

/** A MessagePort as this file posts to it (transfer lists typed as the DOM's Transferable). */
type Port = MessagePort & {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
};

export type WireMessage =
  | { t: 'req'; id: number; op: string; body: unknown }
  | { t: 'ok'; id: number; body: unknown }
  | { t: 'err'; id: number; error: WireError }
  | { t: 'evt'; op: string; body: unknown }
  | { t: 'chunk'; sid: number; data: Uint8Array }
  | { t: 'end'; sid: number; error?: WireError }
  /** The receiver took `bytes` of stream `sid`; `cancel`: its reader cancelled, stop sending. */
  | { t: 'credit'; sid: number; bytes: number; cancel?: true }
  /** Messages posted in one turn of the event loop after its first, in order (see `send`). */
  | { t: 'batch'; m: unknown[] };

/**
 * Callback calls, the hottest message, travel as arrays instead: `[id, fn, now, ...args]` (`now`
 * the host's time under a fake clock, else undefined) and the answer `[id, value]` (a failure
 * is an ordinary `err`). Structured clone pays per object key and per string, and the object
 * envelope cost about a fifth of a bare MessagePort round trip; a flat array, a fraction.
 */
export type CompactCall = [id: number, fn: number, now: number | undefined, ...args: unknown[]];
export type CompactAnswer = [id: number, value: unknown];
/**
 * A compact request: the same array with an op name where a call has its function number. Web
 * requests travel so, and their answers as a CompactAnswer; unlike calls, both wait for the end
 * of the turn (`send`), so the requests of many connections cross in one message each way.
 */
export type CompactRequest = [id: number, op: string, now: number | undefined, ...args: unknown[]];

/** Serves compact requests of one op; the result (a Reply to transfer buffers) is the answer. */
export type CompactHandler = (args: unknown[], now: number | undefined) => unknown;

/** Who waits for a request's answer (a compact request's caller may be one itself). */
export interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** This request's own error when the channel closes (undefined: the channel's). */
  closed?: (() => Error | undefined) | undefined;
}

/** Runs call `fn` with `args` (worker side); `check` vets the value before it crosses. */
export interface CallHandler {
  run(fn: number, args: unknown[], now: number | undefined): unknown;
  check(fn: number, value: unknown): unknown;
}

/** Bytes a stream's sender may have sent and not yet credited back. */
export const STREAM_WINDOW = 256 * 1024;
/** The receiver credits bytes back once this many are taken (fewer messages than per chunk). */
const CREDIT_BATCH = STREAM_WINDOW / 4;

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

/** One side of the boundary: requests out, handlers for requests and events in, streams. */
export class Channel {
  private nextId = 1;
  private nextStream = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Handler>();
  private readonly compactHandlers = new Map<string, CompactHandler>();
  /** Streams from the other side by id; chunks wait in `queue` until a reader attaches. */
  private readonly incoming = new Map<number, Inbox>();
  /** Streams this side sends, by id: bytes not credited yet, and the pump waiting for credit. */
  private readonly outgoing = new Map<number, Outbox>();
  /** Streams whose reader cancelled: chunks still on their way are dropped until the `end`. */
  private readonly cancelled = new Set<number>();
  private closedWith: (() => Error) | undefined;
  private calls: CallHandler | undefined;
  /** Messages waiting for the end of this turn, with their transfer lists. */
  private queued: Array<[unknown, readonly Transferable[] | undefined]> | undefined;
  private readonly endTurn = () => this.flush();
  /** Polling the port instead of sleeping, when enabled (see halt-poll.ts and the constructor). */
  private readonly polling: { window: SpinWindow; turn: TurnBudget } | undefined;
  /** When the message a poll would have waited for started to be awaited (not caught by one). */
  private waitingSince: number | undefined;
  /** Requests and calls from the other side being served here (not answered yet). */
  private serving = 0;
  private inPoll = false;
  /** A call taken by a poll was answered at once: the poll goes on for the next one. */
  private pollAgain = false;

  /**
   * `port` is this side's end of the channel's own MessageChannel. `callPollingUs` > 0 polls it
   * for up to that many µs, adaptively, where a thread would otherwise sleep in a sequential
   * exchange: after sending a call with nothing else in flight, for its answer; after answering
   * a call with nothing else in flight, for the next call. 0 leaves polling off.
   */
  constructor(
    private readonly port: Port,
    callPollingUs = 0,
  ) {
    port.on('message', (m) => this.arrive(m));
    if (callPollingUs > 0)
      this.polling = { window: new SpinWindow(callPollingUs), turn: new TurnBudget() };
  }

  /** What this side's polls did (undefined when polling is off). */
  get pollStats(): PollStats | undefined {
    return this.polling && { ...this.polling.window.stats };
  }

  /** A message by the ordinary path (the port's listener); one a poll waited for, too late. */
  private arrive(m: unknown): void {
    if (this.waitingSince !== undefined) {
      this.polling!.window.arrived((performance.now() - this.waitingSince) * 1000);
      this.waitingSince = undefined;
    }
    this.dispatch(m);
  }

  /** Nothing of this side's is under way but what a poll is about. */
  private quiet(): boolean {
    return (
      this.serving === 0 &&
      this.queued === undefined &&
      this.outgoing.size === 0 &&
      this.incoming.size === 0
    );
  }

  /**
   * Host side: the call `id` was just sent and is all that is in flight; poll for its answer.
   * Answers are handled as the listener would; anything else ends the poll and is dispatched
   * in a microtask, before any later message (they stay in the port's queue), so order holds.
   */
  private pollForAnswer(id: number): void {
    const polling = this.polling!;
    const sentAt = performance.now();
    const us = polling.window.take();
    if (us === 0 || this.inPoll || !polling.turn.allows()) {
      this.waitingSince = sentAt;
      return;
    }
    this.inPoll = true;
    let outcome;
    try {
      outcome = pollPort(this.port, us, (m) => {
        if (Array.isArray(m) && m.length === 2) {
          this.receiveCompact(m);
          return !this.pending.has(id);
        }
        queueMicrotask(() => this.dispatch(m));
        return true;
      });
    } finally {
      this.inPoll = false;
    }
    polling.window.record(outcome);
    if (this.pending.has(id)) this.waitingSince = sentAt;
  }

  /**
   * Worker side: a call was just answered and nothing else is under way; poll for the next
   * message. A call taken is served at once; if it is answered at once too, polling goes on.
   * Anything else is dispatched and ends the poll (later messages keep their order in the port).
   */
  private pollForNext(): void {
    if (this.inPoll) {
      this.pollAgain = true;
      return;
    }
    const polling = this.polling!;
    this.inPoll = true;
    try {
      do {
        this.pollAgain = false;
        const start = performance.now();
        const us = polling.window.take();
        if (us === 0 || !polling.turn.allows()) {
          this.waitingSince = start;
          return;
        }
        let taken: { m: unknown } | undefined;
        const outcome = pollPort(this.port, us, (m) => {
          taken = { m };
          return true;
        });
        polling.window.record(outcome);
        if (taken === undefined) {
          this.waitingSince = start;
          return;
        }
        this.dispatch(taken.m);
        if (!Array.isArray(taken.m)) return;
      } while (this.pollAgain && this.pending.size === 0 && this.quiet());
    } finally {
      this.inPoll = false;
    }
  }

  private dispatch(m: unknown): void {
    if (Array.isArray(m)) this.receiveCompact(m);
    else if ((m as WireMessage).t === 'batch') this.dispatchBatch((m as { m: unknown[] }).m);
    else this.receive(m as WireMessage);
  }

  /**
   * A batch's messages in order, in one loop. Nothing in a batch needs what an earlier one
   * settles to have run first: a stream's chunks and end wait in its inbox until the response
   * that carries its id claims it, and every other message stands on its own. (A microtask per
   * message cost more on the host's thread than the rest of dispatching.)
   */
  private dispatchBatch(messages: unknown[]): void {
    for (let i = 0; i < messages.length; i++) this.dispatch(messages[i]);
  }

  /**
   * Posts `message` at the end of this turn of the event loop, with every other message of the
   * turn (many requests read from many sockets in one poll, their chunks and answers) in one
   * `batch`: one structured clone and one wake-up of the other thread instead of one each,
   * which is what a loaded machine runs short of. Calls do not wait (sendNow).
   */
  private send(message: unknown, transfer?: readonly Transferable[]): void {
    if (this.queued === undefined) {
      this.queued = [];
      setImmediate(this.endTurn);
    }
    this.queued.push([message, transfer]);
  }

  /**
   * Posts `message` at once, after whatever waits for the end of the turn (order is kept):
   * for calls and their answers, so one call after another never waits for a turn's end or
   * pays for scheduling one.
   */
  private sendNow(message: unknown, transfer?: readonly Transferable[]): void {
    if (this.queued !== undefined) this.flush();
    this.port.postMessage(message, transfer);
  }

  private flush(): void {
    const queued = this.queued;
    if (queued === undefined) return;
    this.queued = undefined;
    if (this.closedWith) return;
    if (queued.length === 1) return this.postAlone(queued[0]![0], queued[0]![1]);
    // Built by push, not map: an optimised `map` makes a holey array, which structured clone
    // writes (and the other side reads) key by key, as a sparse one, instead of as a list.
    const messages: unknown[] = [];
    const transfer: Transferable[] = [];
    for (const [m, t] of queued) {
      messages.push(m);
      if (t !== undefined) for (const item of t) transfer.push(item);
    }
    try {
      this.port.postMessage({ t: 'batch', m: messages } satisfies WireMessage, transfer);
    } catch {
      // One of them cannot be cloned: each on its own, so only that one fails.
      for (const [m, t] of queued) this.postAlone(m, t);
    }
  }

  /** Posts one queued message; one that cannot be cloned fails its request or its answer. */
  private postAlone(message: unknown, transfer: readonly Transferable[] | undefined): void {
    try {
      this.port.postMessage(message, transfer);
    } catch (error) {
      const wire = message as WireMessage;
      const id = Array.isArray(message)
        ? (message[0] as number)
        : wire.t === 'req' || wire.t === 'ok'
          ? wire.id
          : undefined;
      if (id === undefined) return;
      const outgoing = Array.isArray(message) ? message.length > 2 : wire.t === 'req';
      if (!outgoing) return this.postAlone({ t: 'err', id, error: encodeError(error) }, undefined);
      const p = this.pending.get(id);
      this.pending.delete(id);
      p?.reject(error);
    }
  }

  /** Serves compact calls (see CompactCall). */
  handleCalls(handler: CallHandler): void {
    this.calls = handler;
  }

  /**
   * A compact call of `fn` on the other side; `closed` as for `request`. Takes `args` over:
   * the array itself is sent (with the id in front), so the caller must not use it again.
   */
  call(
    fn: number,
    args: unknown[],
    now: number | undefined,
    closed?: () => Error | undefined,
  ): Promise<unknown> {
    if (this.closedWith) return Promise.reject(closed?.() ?? this.closedWith());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, closed });
      // The proxy's own rest-parameter array becomes the message (no copy).
      args.unshift(id, fn, now);
      const message = args as CompactCall;
      this.sendNow(message);
      // The sequential, latency-bound case only: with anything else in flight, nothing new.
      if (this.polling !== undefined && this.pending.size === 1 && this.quiet())
        this.pollForAnswer(id);
    });
  }

  private receiveCompact(m: unknown[]): void {
    if (m.length === 2) {
      const [id, value] = m as CompactAnswer;
      const p = this.pending.get(id);
      if (p === undefined) return;
      this.pending.delete(id);
      return p.resolve(value);
    }
    const id = m[0] as number;
    const now = m[2] as number | undefined;
    const args = m.length === 4 ? [m[3]] : m.slice(3);
    this.serving++;
    if (typeof m[1] === 'string') return this.serveCompact(id, m[1], args, now);
    const fn = m[1] as number;
    const handler = this.calls;
    if (handler === undefined) return this.fail(id, new Error('no handler for calls'));
    let result: unknown;
    try {
      result = handler.run(fn, args, now);
    } catch (error) {
      return this.fail(id, error);
    }
    if (result instanceof Promise)
      result.then(
        (value) => this.answer(id, fn, value),
        (error) => this.fail(id, error),
      );
    else this.answer(id, fn, result);
  }

  private answer(id: number, fn: number, value: unknown): void {
    try {
      const checked = this.calls!.check(fn, value);
      this.sendNow([id, checked] satisfies CompactAnswer);
    } catch (error) {
      return this.fail(id, error);
    }
    this.serving--;
    if (this.polling !== undefined && this.pending.size === 0 && this.quiet()) this.pollForNext();
  }

  private fail(id: number, error: unknown): void {
    this.serving--;
    this.send({ t: 'err', id, error: encodeError(error) } satisfies WireMessage);
  }

  /** Serves requests (the handler's result or rejection is the response) and events of `op`. */
  handle(op: string, handler: Handler): void {
    this.handlers.set(op, handler);
  }

  /** Serves compact requests of `op` (see CompactRequest). */
  handleCompact(op: string, handler: CompactHandler): void {
    this.compactHandlers.set(op, handler);
  }

  /**
   * Sends a compact request of `op`; `waiter` gets the answer (no promise of the channel's own
   * in between). Takes `args` over, as `call` does.
   */
  requestCompact(
    op: string,
    args: unknown[],
    now: number | undefined,
    waiter: Pending,
    transfer?: readonly Transferable[],
  ): void {
    if (this.closedWith) return waiter.reject(waiter.closed?.() ?? this.closedWith());
    const id = this.nextId++;
    this.pending.set(id, waiter);
    args.unshift(id, op, now);
    this.send(args as CompactRequest, transfer);
  }

  private serveCompact(id: number, op: string, args: unknown[], now: number | undefined): void {
    const handler = this.compactHandlers.get(op);
    if (handler === undefined) return this.fail(id, new Error(`no handler for ${op}`));
    let result: unknown;
    try {
      result = handler(args, now);
    } catch (error) {
      return this.fail(id, error);
    }
    if (result instanceof Promise)
      result.then(
        (value) => this.answerLater(id, value),
        (error) => this.fail(id, error),
      );
    else this.answerLater(id, result);
  }

  /** A compact request's answer, at the end of the turn with the others (see `send`). */
  private answerLater(id: number, value: unknown): void {
    if (value instanceof Reply) this.send([id, value.body] satisfies CompactAnswer, value.transfer);
    else this.send([id, value] satisfies CompactAnswer);
    this.serving--;
  }

  /**
   * Sends a request; the promise settles with the other side's answer. `closed` gives the
   * error this request fails with if the channel closes first (instead of the channel's own),
   * so a caller need not chain a promise per request to translate it.
   */
  request<T = unknown>(
    op: string,
    body: unknown,
    transfer?: readonly Transferable[],
    closed?: () => Error | undefined,
  ): Promise<T> {
    if (this.closedWith) return Promise.reject(closed?.() ?? this.closedWith());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, closed });
      this.send({ t: 'req', id, op, body } satisfies WireMessage, transfer);
    });
  }

  /**
   * A one-way event. Sent at once, not at the end of the turn: events are rare (log lines,
   * invalidations, state changes), and a log line must get out even if this thread blocks
   * right after writing it.
   */
  notify(op: string, body: unknown, transfer?: readonly Transferable[]): void {
    if (!this.closedWith) this.sendNow({ t: 'evt', op, body } satisfies WireMessage, transfer);
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** The other side is gone: every pending request rejects with `error()`, later ones too. */
  close(error: () => Error): void {
    this.closedWith = error;
    for (const p of this.pending.values()) p.reject(p.closed?.() ?? error());
    this.pending.clear();
    for (const inbox of this.incoming.values()) inbox.finish(error());
    this.incoming.clear();
    for (const out of this.outgoing.values()) out.wake();
    this.outgoing.clear();
  }

  /** Bytes that arrived on incoming streams and their readers have not taken yet. */
  get bufferedBytes(): number {
    let n = 0;
    for (const inbox of this.incoming.values()) n += inbox.queuedBytes;
    return n;
  }

  /** Bytes sent on outgoing streams and not credited back yet. */
  get unackedBytes(): number {
    let n = 0;
    for (const out of this.outgoing.values()) n += out.unacked;
    return n;
  }

  /** Sends `stream` chunk by chunk (each chunk's buffer transferred); returns its stream id. */
  sendStream(stream: ReadableStream<Uint8Array>, onEnd?: () => void): number {
    const sid = this.nextStream++;
    const out = new Outbox();
    this.outgoing.set(sid, out);
    const pumped = this.pump(sid, stream.getReader(), out);
    if (onEnd !== undefined) void pumped.finally(onEnd);
    return sid;
  }

  private async pump(
    sid: number,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    out: Outbox,
  ): Promise<void> {
    try {
      for (;;) {
        // Over the window: the source is not read until the receiver gives credit back.
        while (out.unacked >= STREAM_WINDOW && !out.cancelled && !this.closedWith)
          await out.credit();
        if (this.closedWith || out.cancelled) {
          reader.cancel().catch(() => undefined);
          break;
        }
        const { done, value } = await reader.read();
        if (this.closedWith) return void reader.cancel().catch(() => undefined);
        if (done) break;
        const data = ownBuffer(value);
        out.unacked += data.byteLength;
        this.send({ t: 'chunk', sid, data } satisfies WireMessage, [data.buffer]);
      }
      this.outgoing.delete(sid);
      if (!this.closedWith) this.send({ t: 'end', sid } satisfies WireMessage);
    } catch (error) {
      this.outgoing.delete(sid);
      if (!this.closedWith)
        this.send({ t: 'end', sid, error: encodeError(error) } satisfies WireMessage);
    }
  }

  /** The stream the other side sends as `sid`. */
  receiveStream(sid: number): ReadableStream<Uint8Array> {
    const inbox = this.inbox(sid);
    inbox.claimed = true;
    // Its end came before anyone asked for it (both in one batch): the stream holds it now.
    if (inbox.isEnded) this.incoming.delete(sid);
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (this.closedWith) controller.error(this.closedWith());
      },
      pull: (controller) => inbox.pull(controller),
      cancel: () => {
        if (!this.incoming.delete(sid) || this.closedWith) return;
        this.cancelled.add(sid);
        this.send({ t: 'credit', sid, bytes: 0, cancel: true } satisfies WireMessage);
      },
    });
  }

  /**
   * The incoming stream `sid` is of no more use (its request is over): the sender stops and
   * releases its source; a reader still holding it gets `error()`.
   */
  discardStream(sid: number, error: () => Error): void {
    const inbox = this.incoming.get(sid);
    if (inbox === undefined || this.closedWith) return;
    this.incoming.delete(sid);
    this.cancelled.add(sid);
    this.send({ t: 'credit', sid, bytes: 0, cancel: true } satisfies WireMessage);
    inbox.finish(error());
  }

  private inbox(sid: number): Inbox {
    let inbox = this.incoming.get(sid);
    if (inbox === undefined) {
      inbox = new Inbox((bytes) => {
        if (!this.closedWith && this.incoming.has(sid))
          this.send({ t: 'credit', sid, bytes } satisfies WireMessage);
      });
      this.incoming.set(sid, inbox);
    }
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
        if (this.cancelled.has(m.sid)) return;
        return this.inbox(m.sid).push(m.data);
      case 'end': {
        if (this.cancelled.delete(m.sid)) return;
        const inbox = this.inbox(m.sid);
        // Unclaimed, it stays until receiveStream takes it (which would otherwise make a new one).
        if (inbox.claimed) this.incoming.delete(m.sid);
        return inbox.finish(m.error ? decodeError(m.error) : undefined);
      }
      case 'credit': {
        const out = this.outgoing.get(m.sid);
        if (out === undefined) return;
        if (m.cancel) out.cancelled = true;
        out.unacked -= m.bytes;
        return out.wake();
      }
    }
  }

  private serve(id: number, op: string, body: unknown): void {
    const handler = this.handlers.get(op);
    this.serving++;
    const reply = (value: unknown) => {
      const transfer = value instanceof Reply ? value.transfer : undefined;
      const out = value instanceof Reply ? value.body : value;
      try {
        this.send({ t: 'ok', id, body: out } satisfies WireMessage, transfer);
      } catch (error) {
        return fail(error);
      }
      this.serving--;
    };
    const fail = (error: unknown) => {
      this.serving--;
      this.send({ t: 'err', id, error: encodeError(error) } satisfies WireMessage);
    };
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

/** One outgoing stream's flow control: bytes not credited back, and the pump waiting for more. */
class Outbox {
  unacked = 0;
  cancelled = false;
  private waiting: (() => void) | undefined;

  /** Resolves at the next credit (or cancel, or close). */
  credit(): Promise<void> {
    return new Promise((resolve) => (this.waiting = resolve));
  }

  wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/**
 * One incoming stream. Chunks wait here until its reader pulls them (at most the sender's
 * window of them, since the sender stops there); each pulled chunk's bytes are credited back to
 * the sender, in batches of CREDIT_BATCH.
 */
class Inbox {
  private queue: Uint8Array[] = [];
  private head = 0;
  queuedBytes = 0;
  private ended: { error?: Error } | undefined;
  /** The reader's pull waiting for a chunk or the end. */
  private waiting: ReadableStreamDefaultController<Uint8Array> | undefined;
  private wake: (() => void) | undefined;
  private taken = 0;
  /** A ReadableStream reads it (receiveStream was called). */
  claimed = false;

  constructor(private readonly credit: (bytes: number) => void) {}

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  pull(controller: ReadableStreamDefaultController<Uint8Array>): void | Promise<void> {
    if (this.head < this.queue.length) return this.give(controller);
    if (this.ended) return this.end(controller);
    // Nothing yet: the stream calls pull again only once this settles.
    return new Promise<void>((resolve) => {
      this.waiting = controller;
      this.wake = resolve;
    });
  }

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.queuedBytes += chunk.byteLength;
    this.resume();
  }

  finish(error?: Error): void {
    this.ended = error ? { error } : {};
    // An error ends the stream at once (queued chunks are lost with the other side's failure).
    if (error) this.queue.length = this.head = this.queuedBytes = 0;
    this.resume();
  }

  private resume(): void {
    const controller = this.waiting;
    if (controller === undefined) return;
    const wake = this.wake!;
    this.waiting = this.wake = undefined;
    this.pull(controller);
    wake();
  }

  private give(controller: ReadableStreamDefaultController<Uint8Array>): void {
    const chunk = this.queue[this.head]!;
    this.queue[this.head++] = undefined as never;
    if (this.head === this.queue.length) this.queue.length = this.head = 0;
    this.queuedBytes -= chunk.byteLength;
    try {
      controller.enqueue(chunk);
    } catch {
      return; // the reader cancelled it already
    }
    this.taken += chunk.byteLength;
    // Batched. No deadlock: a sender waits only with STREAM_WINDOW bytes uncredited, which are
    // either still queued here (the reader will take them) or taken, so at least one batch.
    if (this.taken >= CREDIT_BATCH) {
      this.credit(this.taken);
      this.taken = 0;
    }
  }

  private end(controller: ReadableStreamDefaultController<Uint8Array>): void {
    try {
      if (this.ended!.error) controller.error(this.ended!.error);
      else controller.close();
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
