/**
 * The web resources of every module: exact paths, and prefix resources matched longest prefix
 * first. The first registration of a path wins (config order); reserved prefixes cannot be
 * claimed; after `close()` nothing more can be registered.
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
} from '../errors/web-messages.js';
import { isUnder, registrationPathProblem, trimTrailingSlash } from './path.js';
import { WebResource } from './resource.js';

/** Endpoints the host serves itself; always reserved. */
export const HOST_ENDPOINTS: readonly string[] = ['/health'];

/** Sentinel in the prefix table: a reserved prefix stops the longest-prefix walk (never served). */
const RESERVED = Symbol('reserved');

export interface WebMatch {
  resource: WebResource;
  /** The path below a prefix resource ('' at its root; '' for exact resources). */
  subpath: string;
}

export class WebRegistry implements WebRegistrar {
  private readonly exact = new Map<string, WebResource>();
  private readonly prefixes = new Map<string, WebResource | typeof RESERVED>();
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
    for (const prefix of this.reserved) this.prefixes.set(prefix, RESERVED);
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
    // Validates the handler and methods even when the path is taken, so mistakes surface.
    const resource = new WebResource(owner, path, handler, options, prefix);
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
    if (prefix) this.prefixes.set(key, resource);
    else this.exact.set(key, resource);
  }

  /** Called by the host once every module is constructed; later registrations throw. */
  close(): void {
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
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

  /** The exact resource registered at `path`, compared as is. */
  exactResource(path: string): WebResource | undefined {
    return this.exact.get(path);
  }

  /** The resource serving the normalised `path`: an exact one, else the longest prefix. */
  match(path: string): WebMatch | undefined {
    const exact = this.exact.get(path);
    if (exact !== undefined) return { resource: exact, subpath: '' };
    let candidate = trimTrailingSlash(path);
    for (;;) {
      const found = this.prefixes.get(candidate);
      if (found === RESERVED) return undefined;
      if (found !== undefined)
        return {
          resource: found,
          subpath: candidate === '/' ? path : path.slice(candidate.length),
        };
      if (candidate === '/') return undefined;
      const cut = candidate.lastIndexOf('/');
      candidate = cut === 0 ? '/' : candidate.slice(0, cut);
    }
  }
}
