/**
 * Routing and handler invocation shared by the socket path and `fetch()`: the same rules and
 * the same error responses whichever way a request arrives.
 */
import type { Logger } from '../logging/logger.js';
import { HttpErrors, webHandlerBadResult, webHandlerFailed } from '../errors/web-messages.js';
import { isBodyTooLarge } from './body.js';
import { isBadJson } from './json.js';
import { normalisePath } from './path.js';
import type { WebRegistry } from './registry.js';
import { Target, type WebResource } from './resource.js';
import { jsonResponse, textResponse } from './responses.js';
import { UNMATCHED } from './http-metrics.js';

export const HEALTH_PATH = '/health';

export { Target };

/** A response the server gives itself (error or health), with the resource label for metrics. */
export class Answer {
  constructor(
    readonly response: Response,
    /** The registered path it concerns, `/health`, or UNMATCHED. */
    readonly label: string,
  ) {}
}

export function errorResponse(
  status: number,
  body: { errcode: string; error: string },
  headers?: Record<string, string>,
): Response {
  return jsonResponse(body, headers === undefined ? { status } : { status, headers });
}

export class Dispatcher {
  constructor(
    private readonly registry: WebRegistry,
    private readonly logger: Logger,
    readonly maxBodySize: number,
  ) {}

  /** Where a request goes: a Target, or the response the server gives itself (errors, health). */
  route(method: string, rawPath: string, draining: boolean): Target | Answer {
    // Registered exact paths are normalised and plain, so a raw path equal to one needs no work.
    const exact = this.registry.exactResource(rawPath);
    if (exact !== undefined) return this.target(exact, method, '');
    const path = normalisePath(rawPath);
    if (path === undefined) return new Answer(errorResponse(400, HttpErrors.badPath), UNMATCHED);
    if (path === HEALTH_PATH) return new Answer(this.health(method, draining), HEALTH_PATH);
    const match = this.registry.match(path);
    if (match === undefined) return new Answer(errorResponse(404, HttpErrors.notFound), UNMATCHED);
    return this.target(match.resource, method, match.subpath);
  }

  private target(resource: WebResource, method: string, subpath: string): Target | Answer {
    return (
      resource.targetFor(method, subpath) ??
      new Answer(
        errorResponse(405, HttpErrors.methodNotAllowed, { allow: resource.allow! }),
        resource.path,
      )
    );
  }

  private health(method: string, draining: boolean): Response {
    if (method !== 'GET' && method !== 'HEAD')
      return errorResponse(405, HttpErrors.methodNotAllowed, { allow: 'GET, HEAD' });
    // Load balancers stop sending traffic while the server drains.
    return draining ? textResponse('Draining', { status: 503 }) : textResponse('OK');
  }

  /** Runs the handler; every failure becomes a response here, so the result never rejects. */
  invoke(
    target: Target,
    request: Request,
    context: unknown,
    method: string,
  ): Response | Promise<Response> {
    let result: unknown;
    try {
      result = target.handler.fn.call(target.handler.receiver, request, context as never);
    } catch (err) {
      return this.failed(target, method, err);
    }
    if (result instanceof Response) return result;
    if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
      return Promise.resolve(result).then(
        (value) => (value instanceof Response ? value : this.badResult(target, method, value)),
        (err: unknown) => this.failed(target, method, err),
      );
    }
    return this.badResult(target, method, result);
  }

  /** The response for a handler failure: 413 / 400 for body errors, else a logged 500. */
  failed(target: Target, method: string, err: unknown): Response {
    if (isBodyTooLarge(err)) return errorResponse(413, HttpErrors.tooLarge(this.maxBodySize));
    if (isBadJson(err)) return errorResponse(400, HttpErrors.notJson(err.message));
    this.logger.error(
      { module: target.resource.owner.name, path: target.resource.path, method, err },
      webHandlerFailed(method, target.resource.path),
    );
    return errorResponse(500, HttpErrors.internal);
  }

  private badResult(target: Target, method: string, value: unknown): Response {
    const got =
      value === null
        ? 'null'
        : typeof value === 'object'
          ? `an object (${describe(value)})`
          : typeof value;
    this.logger.error(
      { module: target.resource.owner.name, path: target.resource.path, method },
      webHandlerBadResult(method, target.resource.path, got),
    );
    return errorResponse(500, HttpErrors.internal);
  }
}

function describe(value: object): string {
  const name = value.constructor?.name;
  return name && name !== 'Object' ? name : 'plain object';
}
