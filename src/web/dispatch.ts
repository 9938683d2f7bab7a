/**
 * Routing and handler invocation shared by the socket path and `fetch()`: the same rules and
 * the same error responses whichever way a request arrives.
 */
import type { Logger } from '../logging/logger.js';
import {
  HttpErrors,
  webClientClosed,
  webHandlerBadResult,
  webHandlerFailed,
  webHandlerUnsendable,
} from '../errors/web-messages.js';
import { isBodyTooLarge, isClientClosed } from './body.js';
import { isHandlerTimeout } from './handler-deadline.js';
import { isBadJson } from './json.js';
import { BAD_PATH, HOST_ENDPOINT, type WebRegistry } from './registry.js';
import { Target, type WebResource } from './resource.js';
import { jsonResponse, textResponse } from './responses.js';
import { isSendableFast, knownSource } from './fast-response.js';
import { UNMATCHED } from './http-metrics.js';
import { enterActivity, leaveActivity } from '../watchdog/activity.js';

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
  /** What /health reports as degraded (e.g. an isolated module that stays down); none by default. */
  healthProblems: () => readonly string[] = () => [];
  /**
   * Runs synchronously before every handler: the invalidation bus re-checks its deadlines there,
   * so a process resumed from SIGSTOP never answers from a cache it stopped being entitled to.
   */
  beforeHandler: (() => void) | undefined = undefined;

  constructor(
    private readonly registry: WebRegistry,
    private readonly logger: Logger,
    readonly maxBodySize: number,
  ) {}

  /** Where a request goes: a Target, or the response the server gives itself (errors, health). */
  route(method: string, rawPath: string, draining: boolean): Target | Answer {
    if (rawPath.charCodeAt(0) !== 0x2f /* / */) return this.notOriginForm(method, rawPath);
    const found = this.registry.route(method, rawPath);
    if (found instanceof Target) return found;
    if (found === undefined) return new Answer(errorResponse(404, HttpErrors.notFound), UNMATCHED);
    if (found === BAD_PATH) return new Answer(errorResponse(400, HttpErrors.badPath), UNMATCHED);
    // HOST_ENDPOINTS holds /health only.
    if (found === HOST_ENDPOINT) return new Answer(this.health(method, draining), HEALTH_PATH);
    return this.notAllowed(found);
  }

  /**
   * A request target that is not an absolute path. `*` (asterisk-form) asks about the server
   * as a whole and is only defined for OPTIONS (RFC 9112 §3.2.4): there is nothing to say, so
   * 204; with any other method it is a bad request, as is anything else not starting with "/".
   */
  private notOriginForm(method: string, rawPath: string): Answer {
    if (rawPath !== '*') return new Answer(errorResponse(400, HttpErrors.badTarget), UNMATCHED);
    if (method === 'OPTIONS') return new Answer(new Response(null, { status: 204 }), UNMATCHED);
    return new Answer(errorResponse(400, HttpErrors.asteriskForm), UNMATCHED);
  }

  /** The 405 for a resource that does not allow the request's method. */
  private notAllowed(resource: WebResource): Answer {
    return new Answer(
      errorResponse(405, HttpErrors.methodNotAllowed, { allow: resource.allow! }),
      resource.path,
    );
  }

  private health(method: string, draining: boolean): Response {
    if (method !== 'GET' && method !== 'HEAD')
      return errorResponse(405, HttpErrors.methodNotAllowed, { allow: 'GET, HEAD' });
    // Load balancers stop sending traffic while the server drains.
    if (draining) return textResponse('Draining', { status: 503 });
    // Degraded still serves (200): the other modules work; the body says what does not.
    const problems = this.healthProblems();
    return problems.length > 0
      ? textResponse(`Degraded: ${problems.join('; ')}`)
      : textResponse('OK');
  }

  /**
   * Runs the handler; every failure becomes a response here, so the result never rejects and the
   * returned Response is one the server can send. Anything the handler returned is inspected
   * inside a `try`: a hostile value (a throwing `then` getter, a Proxy) is a 500, not a crash.
   */
  invoke(
    target: Target,
    request: Request,
    context: unknown,
    method: string,
  ): Response | Promise<Response> {
    let result: unknown;
    this.beforeHandler?.();
    const previous = enterActivity(target.resource.activity);
    try {
      result = target.handler.fn.call(target.handler.receiver, request, context as never);
    } catch (err) {
      return this.failed(target, method, err);
    } finally {
      leaveActivity(previous);
    }
    try {
      // modhost's own response with its body unread (the common case) is sendable as it is;
      // checked first since `instanceof Response` goes through Symbol.hasInstance.
      if (isSendableFast(result)) return result;
      if (result instanceof Response) return this.sendable(target, method, result);
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          (value) => this.settle(target, method, value),
          (err: unknown) => this.failed(target, method, err),
        );
      }
    } catch (err) {
      return this.uninspectable(target, method, err);
    }
    return this.badResult(target, method, result);
  }

  /** The resolved value of an async handler as a sendable response; never throws. */
  private settle(target: Target, method: string, value: unknown): Response {
    try {
      if (value instanceof Response) return this.sendable(target, method, value);
    } catch (err) {
      return this.uninspectable(target, method, err);
    }
    return this.badResult(target, method, value);
  }

  /** `response`, or a logged 500 when it cannot be sent. May throw (hostile objects). */
  private sendable(target: Target, method: string, response: Response): Response {
    // A lightweight response whose body nobody read is valid by construction; skip the checks
    // (hot path), which would also mark its body as shared by reading `body`.
    if (knownSource(response) !== undefined) return response;
    const problem = unsendableProblem(response);
    if (problem === undefined) return response;
    this.logError(target, method, webHandlerUnsendable(method, target.resource.path, problem));
    return errorResponse(500, HttpErrors.internal);
  }

  /** The response for a handler failure: 413 / 400 for body errors, else a logged 500. Never throws. */
  failed(target: Target, method: string, err: unknown): Response {
    try {
      if (isBodyTooLarge(err)) return errorResponse(413, HttpErrors.tooLarge(this.maxBodySize));
      if (isHandlerTimeout(err)) {
        // The handler stopped because its deadline aborted request.signal: already logged and
        // answered 503 when the deadline passed.
        this.logger.debug(
          { module: target.resource.owner.name, method },
          'handler stopped after its timeout',
        );
        return errorResponse(503, HttpErrors.handlerTimeout);
      }
      if (isBadJson(err)) return errorResponse(400, HttpErrors.notJson(err.message));
      if (isClientClosed(err)) {
        // Routine: the client went away mid-upload. Nothing failed on our side; no stack.
        this.logger.debug(
          { module: target.resource.owner.name, path: target.resource.path, method },
          webClientClosed(method, target.resource.path),
        );
        return errorResponse(400, HttpErrors.clientClosed);
      }
    } catch {
      // A thrown value that cannot even be inspected: report it as a plain failure below.
    }
    this.logError(target, method, webHandlerFailed(method, target.resource.path), err);
    return errorResponse(500, HttpErrors.internal);
  }

  /** Inspecting the handler's result threw (a throwing getter or Proxy trap). */
  private uninspectable(target: Target, method: string, err: unknown): Response {
    const got = 'a value whose inspection threw (a throwing getter or Proxy trap)';
    this.logError(target, method, webHandlerBadResult(method, target.resource.path, got), err);
    return errorResponse(500, HttpErrors.internal);
  }

  private badResult(target: Target, method: string, value: unknown): Response {
    let got: string;
    try {
      got =
        value === null
          ? 'null'
          : typeof value === 'object'
            ? `an object (${describe(value)})`
            : typeof value;
    } catch {
      got = 'an object that cannot be inspected';
    }
    this.logError(target, method, webHandlerBadResult(method, target.resource.path, got));
    return errorResponse(500, HttpErrors.internal);
  }

  /** Logs at error level with the module name; a thrown value pino cannot serialise is dropped. */
  private logError(target: Target, method: string, msg: string, err?: unknown): void {
    const fields = { module: target.resource.owner.name, path: target.resource.path, method };
    try {
      this.logger.error(err === undefined ? fields : { ...fields, err }, msg);
    } catch {
      this.logger.error({ ...fields, err: 'the thrown value could not be serialised' }, msg);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Why a real Response cannot be sent, or undefined. `Response.error()` is a network error
 * (status 0, no HTTP status to send); a body already read or locked cannot be streamed.
 */
function unsendableProblem(response: Response): string | undefined {
  if (response.type === 'error' || response.status === 0)
    return 'Response.error() is a network error with status 0; return an HTTP status (e.g. 500) instead';
  if (response.bodyUsed) return 'its body was already read (bodyUsed); return a fresh Response';
  if (response.body?.locked)
    return 'its body stream is locked (a reader was taken); return a fresh Response';
  return undefined;
}

function describe(value: object): string {
  const name = value.constructor?.name;
  return name && name !== 'Object' ? name : 'plain object';
}
