/**
 * Host providers whose value is a live object (an API client such as the samples'
 * `HomeserverApi`) in an isolated module: the worker gets a proxy whose methods are calls to the
 * object on the host. A method keeps its shape: the worker waits (Atomics.wait) until the host
 * has run the method's synchronous part, so a synchronous method (`isMine(userId): boolean`)
 * stays synchronous and a sync throw stays a throw; a method that returns a promise gives a
 * promise in the worker, settled by a later `provider:settle` event. The host never waits on
 * the worker, so the two threads cannot deadlock.
 *
 * Calls go on a port of their own (read with receiveMessageOnPort while the worker waits);
 * arguments and results must cross (crossing.ts), and a `Request` argument crosses as its
 * method, URL and headers (its body stays with the handler that reads it).
 * Plain-data properties are copied at load; one that cannot cross throws when read, naming it.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { isolationErrors } from '../errors/isolation-messages.js';
import { crossingProblem } from './crossing.js';
import { type Channel, decodeError, encodeError, type WireError } from './protocol.js';

/** How a proxied provider looks to the worker. */
export interface ProviderShape {
  methods: string[];
  /** Plain-data properties, copied at load (getters read once). */
  fields: Record<string, unknown>;
  /** Properties that cannot cross, with why: reading one in the worker throws. */
  refused: Record<string, string>;
}

/** What the worker needs to call the host (sent once in `init`). */
export interface ProviderLink {
  port: MessagePort;
  /** One Int32 the host sets (and notifies) once it has answered a call. */
  flag: SharedArrayBuffer;
}

type Call = { id: number; p: number; m: string; args: unknown[] };
type Answer = { id: number; v?: unknown; e?: WireError; pending?: true };

/** A Request as it crosses to a provider method. */
interface WireRequestHead {
  $request: { method: string; url: string; headers: [string, string][] };
}

function encodeArg(arg: unknown): unknown {
  if (!(arg instanceof Request)) return arg;
  const headers: [string, string][] = [];
  arg.headers.forEach((value, name) => headers.push([name, value]));
  return { $request: { method: arg.method, url: arg.url, headers } } satisfies WireRequestHead;
}

function decodeArg(arg: unknown): unknown {
  const head = (arg as WireRequestHead | null)?.$request;
  if (typeof arg !== 'object' || arg === null || head === undefined) return arg;
  return new Request(head.url, { method: head.method, headers: head.headers });
}

/** The members of `value` (own and inherited, up to Object.prototype) as the worker sees them. */
export function describeProvider(value: object): ProviderShape {
  const shape: ProviderShape = { methods: [], fields: {}, refused: {} };
  const seen = new Set<string>(['constructor']);
  for (
    let obj: object | null = value;
    obj !== null && obj !== Object.prototype;
    obj = Object.getPrototypeOf(obj) as object | null
  )
    for (const name of Object.getOwnPropertyNames(obj)) {
      if (seen.has(name)) continue;
      seen.add(name);
      let member: unknown;
      try {
        member = (value as Record<string, unknown>)[name];
      } catch (err) {
        shape.refused[name] = `its getter threw at load (${(err as Error).message})`;
        continue;
      }
      if (typeof member === 'function') {
        shape.methods.push(name);
        continue;
      }
      const problem = crossingProblem(member);
      if (problem === undefined) shape.fields[name] = member;
      else
        shape.refused[name] = `${problem.where ? `at ${problem.where}: ` : ''}${problem.problem}`;
    }
  return shape;
}

/** Host side: answers one worker's calls to its proxied providers. */
export class ProviderServer {
  readonly link: ProviderLink;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private closed = false;

  constructor(
    private readonly module: string,
    private readonly channel: Channel,
    private readonly providers: readonly { label: string; value: object }[],
  ) {
    const { port1, port2 } = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    this.port = port1;
    this.flag = new Int32Array(flag);
    this.link = { port: port2, flag };
    port1.on('message', (m) => this.serve(m as Call));
    port1.unref();
  }

  close(): void {
    this.closed = true;
    this.port.close();
  }

  private serve({ id, p, m, args }: Call): void {
    const { label, value } = this.providers[p]!;
    const what = `the result of method ${m} of host provider ${label}`;
    let answer: Answer;
    try {
      const result = (value as Record<string, (...a: unknown[]) => unknown>)[m]!.apply(
        value,
        args.map(decodeArg),
      );
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        answer = { id, pending: true };
        Promise.resolve(result).then(
          (v) => this.settle(id, v, what),
          (e: unknown) => this.settle(id, undefined, what, e),
        );
      } else answer = { id, v: this.crossing(result, what) };
    } catch (error) {
      answer = { id, e: encodeError(error) };
    }
    this.port.postMessage(answer);
    Atomics.store(this.flag, 0, 1);
    Atomics.notify(this.flag, 0);
  }

  private settle(id: number, value: unknown, what: string, error?: unknown): void {
    if (this.closed) return;
    if (error === undefined)
      try {
        return this.channel.notify('provider:settle', { id, v: this.crossing(value, what) });
      } catch (e) {
        error = e;
      }
    this.channel.notify('provider:settle', { id, e: encodeError(error) });
  }

  private crossing(value: unknown, what: string): unknown {
    const problem = crossingProblem(value);
    if (problem)
      throw isolationErrors.cannotCross(this.module, what, problem.where, problem.problem);
    return value;
  }
}

/** Worker side: makes the proxies and carries their calls to the host. */
export class ProviderClient {
  private readonly flag: Int32Array;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: unknown): void }
  >();
  private nextId = 1;

  constructor(
    private readonly module: string,
    channel: Channel,
    private readonly link: ProviderLink,
  ) {
    this.flag = new Int32Array(link.flag);
    channel.handle('provider:settle', (body) => {
      const { id, v, e } = body as Answer;
      const p = this.pending.get(id);
      if (p === undefined) return;
      this.pending.delete(id);
      if (e !== undefined) p.reject(decodeError(e));
      else p.resolve(v);
    });
  }

  /** The object the module is given for provider number `p`. */
  proxy(p: number, label: string, shape: ProviderShape): object {
    const proxy: Record<string, unknown> = { ...shape.fields };
    for (const m of shape.methods) proxy[m] = (...args: unknown[]) => this.call(p, label, m, args);
    for (const [name, why] of Object.entries(shape.refused))
      Object.defineProperty(proxy, name, {
        enumerable: false,
        get: () => {
          throw isolationErrors.cannotCross(
            this.module,
            `property ${name} of host provider ${label}`,
            '',
            `${why}; only its methods and plain-data properties reach an isolated module`,
          );
        },
      });
    return proxy;
  }

  private call(p: number, label: string, m: string, args: unknown[]): unknown {
    const wire = args.map(encodeArg);
    for (let i = 0; i < wire.length; i++) {
      const problem = crossingProblem(wire[i]);
      if (problem)
        throw isolationErrors.cannotCross(
          this.module,
          `argument ${i + 1} of method ${m} of host provider ${label}`,
          problem.where,
          problem.problem,
        );
    }
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.link.port.postMessage({ id, p, m, args: wire } satisfies Call);
    const answer = this.await(id);
    if (answer.e !== undefined) throw decodeError(answer.e);
    if (!answer.pending) return answer.v;
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Blocks until the host answers call `id` (in slices, so terminating the worker ends it). */
  private await(id: number): Answer {
    for (;;) {
      const got = receiveMessageOnPort(this.link.port);
      if (got !== undefined) {
        const answer = got.message as Answer;
        if (answer.id === id) return answer;
        continue;
      }
      Atomics.wait(this.flag, 0, 0, 50);
      Atomics.store(this.flag, 0, 0);
    }
  }
}
