/**
 * The web resources of every module: exact paths, parameter routes (`/rooms/:room_id`), and
 * prefix resources matched longest prefix first, in that order. The first registration of a
 * path wins (config order); overlapping parameter patterns are refused; reserved prefixes cannot
 * be claimed; after `close()` nothing more can be registered. Lookups cost time linear in the
 * path's length (see router.ts).
 */
import type { ModuleIdentity, WebHandler, WebRegistrar } from '../api/services.js';
import type { WebResourceOptions } from '../../decorators/metadata.js';
import type { Logger } from '../logging/logger.js';
import { ErrorCode, ModhostError } from '../errors/index.js';
import {
  webDuplicatePath,
  webHandlerInvalid,
  webPathInvalid,
  webPathReserved,
  webRegistrationClosed,
  webRouteConflict,
} from '../errors/web-messages.js';
import {
  encodedSlashRoutePath,
  isUnder,
  normalisePath,
  registrationPathProblem,
  trimTrailingSlash,
} from './path.js';
import { Target, WebResource } from './resource.js';
import { RouteConflicts } from './route-conflicts.js';
import {
  hasParams,
  NO_PARAMS,
  type ParamsFactory,
  paramsFactory,
  parsePattern,
  patternReaches,
  type RoutePattern,
} from './route-pattern.js';
import { EXACT, NOT_PLAIN, PREFIX, RESERVED, ROUTE, RouteTrie, UNDER_RESERVED } from './router.js';

/** Endpoints the host serves itself; always reserved. */
export const HOST_ENDPOINTS: readonly string[] = ['/health'];

/** What `route` answers for a malformed path (400) and for a host endpoint's path. */
export const BAD_PATH = Symbol('bad path');
export const HOST_ENDPOINT = Symbol('host endpoint');

export interface WebMatch {
  resource: WebResource;
  /** The path below a prefix resource ('' at its root; '' for exact resources). */
  subpath: string;
  /** Decoded values of a parameter route's `:name` segments (NO_PARAMS for other resources). */
  params: Readonly<Record<string, string>>;
}

interface ParamRoute {
  resource: WebResource;
  /** Builds the params object from the values' bounds in the path (one shape per route). */
  params: ParamsFactory;
  names: readonly string[];
}

/**
 * What `route` answers: the Target, the resource when it does not allow the method (405),
 * BAD_PATH (400), HOST_ENDPOINT, or undefined (404).
 */
export type RouteResult = Target | WebResource | typeof BAD_PATH | typeof HOST_ENDPOINT | undefined;

export class WebRegistry implements WebRegistrar {
  /** Exact and prefix resources and parameter routes. */
  private readonly trie = new RouteTrie<WebResource, ParamRoute>();
  /**
   * The reserved prefixes, in a trie of their own: no exact path or parameter route can serve a
   * path under one (refused at registration), so only a prefix resource above one needs the
   * check, and the lookup trie is not split by them (fewer nodes on every walk).
   */
  private readonly reservedTrie = new RouteTrie<never, never>();
  /** Prefix resources with a reserved prefix below them. */
  private readonly aboveReserved = new Set<WebResource>();
  /** The parameter routes again, by segment, to refuse overlapping patterns at load. */
  private readonly conflicts = new RouteConflicts<ParamRoute>();
  /** Every accepted resource by its registered path (exact and prefix share one namespace). */
  private readonly byPath = new Map<string, WebResource>();
  private readonly reserved: readonly string[];
  private readonly logger: Logger;
  private closed = false;

  constructor(options: { reservedPrefixes: readonly string[]; logger: Logger }) {
    this.logger = options.logger;
    const reserved = new Set<string>();
    for (const prefix of [...options.reservedPrefixes, ...HOST_ENDPOINTS]) {
      if (typeof prefix !== 'string' || !prefix.startsWith('/'))
        throw new ModhostError(
          ErrorCode.CONFIG_INVALID,
          `server.reserved_prefixes: ${JSON.stringify(prefix)} is not an absolute path starting with "/"`,
        );
      reserved.add(trimTrailingSlash(prefix));
    }
    this.reserved = [...reserved];
    for (const prefix of this.reserved) this.reservedTrie.setPrefix(prefix, RESERVED);
  }

  register(
    owner: ModuleIdentity,
    path: string,
    handler: WebHandler,
    options: WebResourceOptions = {},
  ): void {
    if (this.closed)
      throw new ModhostError(
        ErrorCode.WEB_REGISTRATION_CLOSED,
        webRegistrationClosed(owner.name, String(path)),
      );
    const problem = registrationPathProblem(path);
    if (problem !== undefined)
      throw new ModhostError(ErrorCode.WEB_PATH_INVALID, webPathInvalid(owner.name, path, problem));
    const reserved = this.reserved.find((r) => isUnder(path, r));
    if (reserved !== undefined)
      throw new ModhostError(
        ErrorCode.WEB_PATH_RESERVED,
        webPathReserved(owner.name, path, reserved),
      );
    if (typeof options !== 'object' || options === null || Array.isArray(options))
      throw new ModhostError(
        ErrorCode.WEB_HANDLER_INVALID,
        webHandlerInvalid(owner.name, path, `options must be an object, got ${String(options)}`),
      );
    if (options.prefix !== undefined && typeof options.prefix !== 'boolean')
      throw new ModhostError(
        ErrorCode.WEB_HANDLER_INVALID,
        webHandlerInvalid(owner.name, path, 'options.prefix must be true or false'),
      );
    const prefix = options.prefix === true;
    const pattern = hasParams(path) ? this.checkPattern(owner, path, prefix) : undefined;
    // Validates the handler and methods even when the path is taken, so mistakes surface.
    const resource = new WebResource(owner, path, handler, options, prefix);
    if (pattern !== undefined) {
      const other = this.conflicts.overlapping(pattern);
      if (other !== undefined)
        throw new ModhostError(
          ErrorCode.WEB_ROUTE_CONFLICT,
          webRouteConflict(path, owner.name, other.resource.path, other.resource.owner.name),
        );
      const names = pattern.params.map((p) => p.name);
      const route: ParamRoute = { resource, params: paramsFactory(names), names };
      this.conflicts.add(pattern, route);
      this.trie.addRoute(pattern.segments, route);
      this.byPath.set(path, resource);
      return;
    }
    // One path, one resource: a later exact or prefix registration of the same path is ignored.
    const key = prefix ? trimTrailingSlash(path) : path;
    const taken = this.byPath.get(key);
    if (taken !== undefined) {
      this.logger.warn(
        { module: owner.name, path, winner: taken.owner.name },
        webDuplicatePath(path, taken.owner.name, owner.name),
      );
      return;
    }
    this.byPath.set(key, resource);
    if (prefix) {
      this.trie.setPrefix(key, resource);
      if (this.reserved.some((r) => isUnder(r, key))) this.aboveReserved.add(resource);
    } else this.trie.setExact(key, resource);
  }

  /** The parsed pattern of a parameter path, or the load error saying what is wrong with it. */
  private checkPattern(owner: ModuleIdentity, path: string, prefix: boolean): RoutePattern {
    const pattern = parsePattern(path);
    if (typeof pattern === 'string')
      throw new ModhostError(ErrorCode.WEB_PATH_INVALID, webPathInvalid(owner.name, path, pattern));
    if (prefix)
      throw new ModhostError(
        ErrorCode.WEB_PATH_INVALID,
        webPathInvalid(
          owner.name,
          path,
          'has ":name" parameters but is a prefix resource; parameter routes match whole paths, so drop prefix or the parameters',
        ),
      );
    const reserved = this.reserved.find((r) => patternReaches(pattern, r));
    if (reserved !== undefined)
      throw new ModhostError(
        ErrorCode.WEB_PATH_RESERVED,
        webPathReserved(owner.name, path, reserved),
      );
    return pattern;
  }

  /** Called by the host once every module is constructed; later registrations throw. */
  close(): void {
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Every accepted resource (for the per-module load metrics). */
  resources(): Iterable<WebResource> {
    return this.byPath.values();
  }

  registrations(moduleName: string): Array<{ path: string; methods?: string[]; prefix: boolean }> {
    const out: Array<{ path: string; methods?: string[]; prefix: boolean }> = [];
    for (const r of this.byPath.values()) {
      if (r.owner.name !== moduleName) continue;
      out.push(
        r.methods === undefined
          ? { path: r.path, prefix: r.prefix }
          : { path: r.path, methods: [...r.methods], prefix: r.prefix },
      );
    }
    return out;
  }

  /**
   * Where a `method` request for the raw request path `raw` (starting with "/") goes (see
   * RouteResult): the dispatcher's lookup. A plain, already normal path (nearly every request)
   * is checked and looked up in one walk (RouteTrie.lookup); any other is normalised first,
   * then matched.
   */
  route(method: string, raw: string): RouteResult {
    const trie = this.trie;
    const found = trie.lookup(raw, true);
    let resource: WebResource;
    if (found === EXACT) {
      resource = trie.resource!;
      return resource.targetFor(method, '') ?? resource;
    }
    if (found === ROUTE) {
      const route = trie.route!;
      resource = route.resource;
      const handler = resource.handlerFor(method);
      if (handler === undefined) return resource;
      return new Target(resource, handler, '', route.params(raw, trie.valueStarts, trie.valueEnds));
    }
    if (found === PREFIX) {
      resource = trie.resource!;
      // The size first: nearly no deployment has a prefix above a reserved one, and has() hashes.
      if (this.aboveReserved.size !== 0 && this.aboveReserved.has(resource) && this.isReserved(raw))
        return this.hostEndpoint(raw);
      return resource.targetFor(method, raw.slice(trie.prefixEnd)) ?? resource;
    }
    if (found === NOT_PLAIN) {
      const match = this.normalised(raw);
      if (typeof match !== 'object') return match;
      return match.resource.targetFor(method, match.subpath, match.params) ?? match.resource;
    }
    return this.hostEndpoint(raw);
  }

  /** Whether the normalised `path` is at or below a reserved prefix. */
  private isReserved(path: string): boolean {
    return this.reservedTrie.lookup(path, false) === UNDER_RESERVED;
  }

  /** Where a raw path that is not plain and normal goes: its WebMatch, BAD_PATH, a host endpoint or undefined. */
  private normalised(raw: string): WebMatch | typeof BAD_PATH | typeof HOST_ENDPOINT | undefined {
    const path = normalisePath(raw);
    if (path === undefined) return BAD_PATH;
    return this.match(path, raw) ?? this.hostEndpoint(path);
  }

  private hostEndpoint(path: string): typeof HOST_ENDPOINT | undefined {
    // A loop, not includes(): every 404 asks, and the builtin call costs more than comparing.
    for (let i = 0; i < HOST_ENDPOINTS.length; i++)
      if (path === HOST_ENDPOINTS[i]) return HOST_ENDPOINT;
    return undefined;
  }

  /**
   * The resource serving the normalised `path`: an exact one, else a parameter route, else the
   * longest prefix; nothing at or below a reserved prefix. `raw` is the path as received, for
   * parameter values containing an encoded slash (see encodedSlashRoutePath).
   */
  match(path: string, raw: string = path): WebMatch | undefined {
    const trie = this.trie;
    let found = trie.lookup(path, false);
    if (found === EXACT) return { resource: trie.resource!, subpath: '', params: NO_PARAMS };
    // Exact paths and parameter routes are never under a reserved prefix; prefixes may be above.
    if (this.isReserved(path)) return undefined;
    const prefix = trie.prefix as WebResource | undefined;
    const prefixEnd = trie.prefixEnd;
    if (this.trie.routes > 0) {
      // An unchanged path had nothing to decode, so no encoded slash either.
      const encoded = path === raw ? undefined : encodedSlashRoutePath(raw);
      if (encoded !== undefined) found = trie.lookup(encoded, false);
      if (found === ROUTE)
        return this.paramMatch(trie.route!, encoded ?? path, encoded !== undefined);
    }
    if (prefix === undefined) return undefined;
    return { resource: prefix, subpath: path.slice(prefixEnd), params: NO_PARAMS };
  }

  /**
   * Work done by lookups so far (characters compared or sliced, nodes entered): for tests. The
   * first read turns counting on (RouteTrie.counting), so read it once before the lookups to count.
   */
  get lookupSteps(): number {
    this.trie.counting = this.reservedTrie.counting = true;
    return this.trie.steps + this.reservedTrie.steps;
  }

  /** `encoded`: routePath came from encodedSlashRoutePath (its values still need decoding). */
  private paramMatch(route: ParamRoute, routePath: string, encoded: boolean): WebMatch {
    const trie = this.trie;
    const params = route.params(routePath, trie.valueStarts, trie.valueEnds);
    // Same keys, values replaced: the object keeps its shape.
    if (encoded) for (const name of route.names) params[name] = decodeURIComponent(params[name]!);
    return { resource: route.resource, subpath: '', params };
  }
}
