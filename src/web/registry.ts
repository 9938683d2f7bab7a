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
import { WebResource } from './resource.js';
import {
  hasParams,
  NO_PARAMS,
  parsePattern,
  patternReaches,
  type RoutePattern,
} from './route-pattern.js';
import { paramsAt, RESERVED, type RouteHit, RouteTrie } from './router.js';

/** Endpoints the host serves itself; always reserved. */
export const HOST_ENDPOINTS: readonly string[] = ['/health'];

/** What `resolve` answers for a malformed path (400) and for a host endpoint's path. */
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
  pattern: RoutePattern;
  /** The segment index and name of each parameter, in order. */
  indices: number[];
  names: string[];
}

export class WebRegistry implements WebRegistrar {
  private readonly exact = new Map<string, WebResource>();
  /** Prefix resources, reserved prefixes and parameter routes. */
  private readonly trie = new RouteTrie<WebResource, ParamRoute>();
  /** Reused by every lookup (routing is synchronous), so a miss allocates nothing. */
  private readonly hit: RouteHit<WebResource, ParamRoute> = {
    prefix: undefined,
    prefixEnd: 0,
    route: undefined,
  };
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
    for (const prefix of this.reserved) this.trie.setPrefix(prefix, RESERVED);
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
      const other = this.trie.overlapping(pattern);
      if (other !== undefined)
        throw new ModhostError(
          ErrorCode.WEB_ROUTE_CONFLICT,
          webRouteConflict(path, owner.name, other.resource.path, other.resource.owner.name),
        );
      this.trie.addRoute(pattern, {
        resource,
        pattern,
        indices: pattern.params.map((p) => p.index),
        names: pattern.params.map((p) => p.name),
      });
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
    if (prefix) this.trie.setPrefix(key, resource);
    else {
      this.exact.set(key, resource);
      if (key.length > this.longestExact) this.longestExact = key.length;
    }
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

  /** The length of the longest exact path. */
  private longestExact = 0;

  /**
   * Where the raw request path `raw` (starting with "/") goes: its WebMatch, undefined (404),
   * BAD_PATH when it is malformed (400), or HOST_ENDPOINT when it normalises to one the host
   * serves itself. A plain, already normal path (nearly every request) is checked and looked up
   * in one walk (RouteTrie.walkRaw); any other is normalised first, then matched.
   */
  resolve(raw: string): WebMatch | typeof BAD_PATH | typeof HOST_ENDPOINT | undefined {
    // Registered exact paths are normalised and plain, so a raw path equal to one is one: a
    // single hash, the cheapest hit. Longer paths cannot be one and are not hashed (14 KB).
    if (raw.length <= this.longestExact) {
      const exact = this.exact.get(raw);
      if (exact !== undefined) return { resource: exact, subpath: '', params: NO_PARAMS };
    }
    const hit = this.hit;
    if (!this.trie.walkRaw(raw, hit)) {
      const path = normalisePath(raw);
      if (path === undefined) return BAD_PATH;
      return this.match(path, raw) ?? this.hostEndpoint(path);
    }
    const prefix = hit.prefix;
    if (prefix === RESERVED) return this.hostEndpoint(raw);
    const route = hit.route;
    if (route !== undefined)
      return {
        resource: route.resource,
        subpath: '',
        params: this.trie.rawParams(route.indices, route.names),
      };
    if (prefix === undefined) return undefined;
    return { resource: prefix, subpath: raw.slice(hit.prefixEnd), params: NO_PARAMS };
  }

  private hostEndpoint(path: string): typeof HOST_ENDPOINT | undefined {
    return HOST_ENDPOINTS.includes(path) ? HOST_ENDPOINT : undefined;
  }

  /**
   * The resource serving the normalised `path`: an exact one, else a parameter route, else the
   * longest prefix; nothing at or below a reserved prefix. `raw` is the path as received, for
   * parameter values containing an encoded slash (see encodedSlashRoutePath).
   */
  match(path: string, raw: string = path): WebMatch | undefined {
    const exact = path.length > this.longestExact ? undefined : this.exact.get(path);
    if (exact !== undefined) return { resource: exact, subpath: '', params: NO_PARAMS };
    const hit = this.trie.find(path, this.hit);
    const prefix = hit.prefix;
    if (prefix === RESERVED) return undefined;
    const prefixEnd = hit.prefixEnd;
    if (this.trie.routes > 0) {
      // An unchanged path had nothing to decode, so no encoded slash either.
      const encoded = path === raw ? undefined : encodedSlashRoutePath(raw);
      const route = encoded === undefined ? hit.route : this.trie.find(encoded, hit).route;
      if (route !== undefined)
        return this.paramMatch(route, encoded ?? path, encoded !== undefined);
    }
    if (prefix === undefined) return undefined;
    return { resource: prefix, subpath: path.slice(prefixEnd), params: NO_PARAMS };
  }

  /** Work done by lookups so far (characters compared or sliced, nodes entered): for tests. */
  get lookupSteps(): number {
    return this.trie.steps;
  }

  /** `encoded`: routePath came from encodedSlashRoutePath (its values still need decoding). */
  private paramMatch(route: ParamRoute, routePath: string, encoded: boolean): WebMatch {
    const params = paramsAt(routePath, route.indices, route.names, encoded);
    return { resource: route.resource, subpath: '', params };
  }
}
