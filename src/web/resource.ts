/**
 * A registered web resource: who owns it, where it lives, and which function serves each
 * method. Method resolution is precomputed at registration so a request costs one Map lookup.
 */
import type { FetchHandler, ModuleIdentity, WebHandler } from '../api/services.js';
import type { WebResourceOptions } from '../../decorators/metadata.js';
import { ErrorCode, ModhostError } from '../errors/index.js';
import { webHandlerInvalid } from '../errors/web-messages.js';
import { activityId } from '../watchdog/activity.js';
import { NO_PARAMS } from './route-pattern.js';

const HTTP_METHOD = /^[A-Z]+$/;

/** A function to call for one method, and the `this` to call it with (per-method objects). */
export interface BoundHandler {
  fn: FetchHandler;
  receiver: unknown;
}

/** A request that reached a resource and a handler for its method. */
export class Target {
  constructor(
    readonly resource: WebResource,
    readonly handler: BoundHandler,
    /** The path below a prefix resource ('' at its root and for exact resources). */
    readonly subpath: string,
    /** Decoded parameter values of a parameter route (NO_PARAMS otherwise). */
    readonly params: Readonly<Record<string, string>> = NO_PARAMS,
  ) {}
}

export class WebResource {
  /** Targets at the resource's own path, by method: built once, reused by every request. */
  private readonly rootTargets = new Map<string, Target>();
  /** The handler per method; `undefined` when every method goes to `any`. */
  private readonly byMethod: Map<string, BoundHandler> | undefined;
  /** The single function serving every method (no restriction). */
  private readonly any: BoundHandler | undefined;
  /** The `Allow` header for 405s; `undefined` when every method is allowed. */
  readonly allow: string | undefined;
  /** The allowed methods as registered (without the implied HEAD), for `inspect`. */
  readonly methods: string[] | undefined;

  /** handlerFor('GET'), and the GET Target at the resource's own path (made on first use). */
  private readonly getHandler: BoundHandler | undefined;
  private rootGet: Target | undefined = undefined;

  /** Marks this resource's handlers as its module's running code (watchdog/activity.ts). */
  readonly activity: number;
  /** Requests being served and seconds spent serving them (metrics/module-metrics.ts). */
  inFlight = 0;
  busySeconds = 0;

  constructor(
    readonly owner: ModuleIdentity,
    readonly path: string,
    handler: WebHandler,
    options: WebResourceOptions,
    readonly prefix: boolean,
  ) {
    this.activity = activityId({ module: owner.name, kind: 'resource', name: path });
    const invalid = (problem: string) =>
      new ModhostError(ErrorCode.WEB_HANDLER_INVALID, webHandlerInvalid(owner.name, path, problem));
    if (options.methods !== undefined) {
      if (!Array.isArray(options.methods) || options.methods.length === 0)
        throw invalid('options.methods must be a non-empty array such as ["GET", "POST"]');
      for (const m of options.methods)
        if (typeof m !== 'string' || !HTTP_METHOD.test(m))
          throw invalid(
            `options.methods contains ${JSON.stringify(m)}, not an upper-case HTTP method`,
          );
    }
    if (typeof handler === 'function') {
      if (options.methods === undefined) {
        this.any = { fn: handler, receiver: undefined };
        this.methods = undefined;
      } else {
        const bound = { fn: handler, receiver: undefined };
        this.byMethod = new Map(options.methods.map((m) => [m, bound]));
        this.methods = [...new Set(options.methods)];
      }
    } else if (typeof handler === 'object' && handler !== null && !Array.isArray(handler)) {
      const table = handler as Record<string, unknown>;
      const names = Object.keys(table);
      if (names.length === 0) throw invalid('the handler object has no methods');
      for (const name of names) {
        if (!HTTP_METHOD.test(name))
          throw invalid(`key "${name}" is not an upper-case HTTP method`);
        if (typeof table[name] !== 'function')
          throw invalid(`${name} is ${typeof table[name]}, not a function`);
      }
      const wanted = options.methods ?? names;
      const missing = wanted.filter((m) => typeof table[m] !== 'function');
      if (missing.length > 0)
        throw invalid(
          `options.methods lists ${missing.join(', ')} but the object has no such function`,
        );
      this.byMethod = new Map(
        wanted.map((m) => [m, { fn: table[m] as FetchHandler, receiver: handler }]),
      );
      this.methods = [...new Set(wanted)];
    } else {
      throw invalid(`got ${handler === null ? 'null' : typeof handler}`);
    }
    if (this.byMethod !== undefined) {
      // HEAD is served from GET (without the body) unless the module handles HEAD itself.
      const get = this.byMethod.get('GET');
      if (get !== undefined && !this.byMethod.has('HEAD')) this.byMethod.set('HEAD', get);
      this.allow = [...this.byMethod.keys()].sort().join(', ');
    }
    this.getHandler = this.any ?? this.byMethod!.get('GET');
  }

  /** The handler for `method`, or `undefined` when the method is not allowed (405). */
  handlerFor(method: string): BoundHandler | undefined {
    // GET, most requests, without a Map lookup (method names from node:http are constants).
    if (method === 'GET') return this.getHandler;
    return this.any ?? this.byMethod!.get(method);
  }

  /** Where a `method` request at `subpath` goes, or `undefined` when the method is not allowed. */
  targetFor(
    method: string,
    subpath: string,
    params: Readonly<Record<string, string>> = NO_PARAMS,
  ): Target | undefined {
    if (params !== NO_PARAMS) {
      const handler = this.handlerFor(method);
      return handler === undefined ? undefined : new Target(this, handler, subpath, params);
    }
    if (subpath === '') {
      if (method === 'GET' && this.rootGet !== undefined) return this.rootGet;
      const cached = this.rootTargets.get(method);
      if (cached !== undefined) return cached;
    }
    const handler = this.handlerFor(method);
    if (handler === undefined) return undefined;
    const target = new Target(this, handler, subpath);
    // Only allowed methods are cached, so arbitrary method names cannot grow the map.
    if (subpath === '') {
      this.rootTargets.set(method, target);
      if (method === 'GET') this.rootGet = target;
    }
    return target;
  }
}
