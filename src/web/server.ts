/**
 * The HTTP server for module web resources: a Node adapter that avoids building undici
 * Request/Response objects on the hot path, `fetch()` for socket-less dispatch (host.fetch),
 * body limits, slow-client timeouts, a graceful drain on close, and request metrics.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The module binding: the global `performance` is a lazy accessor, slower on every call.
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { reportModuleLoad } from '../metrics/module-metrics.js';
import { ErrorCode, ModhostError } from '../errors/index.js';
import {
  HttpErrors,
  webResponseStreamFailed,
  webListenFailed,
  webResponseWriteFailed,
} from '../errors/web-messages.js';
import { declaredLength, limitStream } from './body.js';
import { RequestContext } from './context.js';
import { Answer, Dispatcher, errorResponse, Target } from './dispatch.js';
import { fetchRequest } from './fetch-request.js';
import { HttpMetrics, UNMATCHED } from './http-metrics.js';
import { handlerTimeoutError, whenAnswered, withDeadline } from './handler-deadline.js';
import { abortNodeRequest, nodeRequest } from './node-request.js';
import { checkRequest } from './request-target.js';
import { writeNodeResponse } from './node-response.js';
import type { WebRegistry } from './registry.js';
import type { WebResource } from './resource.js';
import { callerResponse } from './caller-response.js';
import { realResponse } from './fast-response.js';
import { installFastGlobals } from './fast-globals.js';
import { ConnectionDrain } from './drain.js';
import { nodeHttp } from '../deps/node-http.js';

export interface WebServerOptions {
  server: ServerConfig;
  logger: Logger;
  metrics: MetricsRegistry;
}

export class WebServer {
  private readonly config: ServerConfig;
  private readonly logger: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly metrics: HttpMetrics;
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private fallbackHost: string;
  private draining = false;
  private closing: Promise<void> | undefined;
  /** Open connections, for closing idle keep-alive ones safely during the drain. */
  private connections: ConnectionDrain | undefined;
  /** Releases this listener's use of the fast globals (fast-globals.ts). */
  private releaseGlobals: (() => void) | undefined;

  constructor(registry: WebRegistry, options: WebServerOptions) {
    this.config = options.server;
    this.logger = options.logger;
    this.dispatcher = new Dispatcher(registry, options.logger, options.server.max_request_size);
    this.metrics = new HttpMetrics(options.metrics);
    reportModuleLoad(options.metrics, 'request', function* () {
      for (const r of registry.resources())
        yield { module: r.owner.name, inFlight: r.inFlight, busySeconds: r.busySeconds };
    });
    this.fallbackHost = hostForUrl(options.server.bind, options.server.port);
  }

  /** Adds to /health what makes the host degraded (a list of sentences; empty when healthy). */
  setHealthProblems(problems: () => readonly string[]): void {
    this.dispatcher.healthProblems = problems;
  }

  /** Runs synchronously before every handler (the invalidation bus's deadline check). */
  setBeforeHandler(check: () => void): void {
    this.dispatcher.beforeHandler = check;
  }

  /** The base URL once listening, e.g. `http://127.0.0.1:12345`. */
  get url(): string | undefined {
    return this.baseUrl;
  }

  /** Serves `request` without a socket, with the same routing and error rules. */
  async fetch(request: Request): Promise<Response> {
    const started = performance.now();
    const method = request.method;
    let label: string;
    let response: Response;
    let served: WebResource | undefined;
    const routed = this.dispatcher.route(method, new URL(request.url).pathname, this.draining);
    if (routed instanceof Target) {
      label = routed.resource.path;
      const limit = this.dispatcher.maxBodySize;
      const length = declaredLength(request.headers.get('content-length'));
      if (length !== undefined && length > limit) {
        response = errorResponse(413, HttpErrors.tooLarge(limit));
      } else {
        const deadline = this.config.handler_timeout > 0 ? new AbortController() : undefined;
        const limited = fetchRequest(request.url, {
          method,
          headers: request.headers,
          body: request.body === null ? null : limitStream(request.body, limit),
          signal:
            deadline === undefined
              ? request.signal
              : AbortSignal.any([request.signal, deadline.signal]),
          duplex: 'half',
        } as RequestInit);
        const context = new RequestContext(
          routed.resource.owner.name,
          routed.resource.path,
          routed.subpath,
          limited,
          routed.params,
        );
        served = routed.resource;
        served.inFlight++;
        const result = await this.invokeWithDeadline(routed, limited, context, method, deadline);
        response = await this.forCaller(result, method, routed);
      }
    } else {
      response = await this.forCaller(routed.response, method, undefined);
      label = routed.label;
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.record(label, method, response.status, seconds);
    if (served !== undefined) finished(served, seconds);
    return response;
  }

  private invokeWithDeadline(
    routed: Target,
    request: Request,
    context: RequestContext,
    method: string,
    deadline: AbortController | undefined,
  ): Response | Promise<Response> {
    const result = this.dispatcher.invoke(routed, request, context, method);
    if (result instanceof Response || deadline === undefined) return result;
    return withDeadline(result, this.config.handler_timeout, () =>
      this.timedOut(routed, method, (reason) => deadline.abort(reason)),
    );
  }

  /** A handler missed `server.handler_timeout`: logged with its module, signal aborted, 503. */
  private timedOut(target: Target, method: string, abort: (reason: unknown) => void): Response {
    const ms = this.config.handler_timeout;
    const err = handlerTimeoutError(method, target.resource.path, ms);
    this.logger.error(
      {
        module: target.resource.owner.name,
        path: target.resource.path,
        method,
        handler_timeout: ms,
      },
      err.message,
    );
    try {
      abort(err);
    } catch (thrown) {
      // An abort listener of the handler threw: the 503 goes out all the same.
      this.logger.warn(
        { module: target.resource.owner.name, err: thrown },
        'request.signal listener failed',
      );
    }
    return errorResponse(503, HttpErrors.handlerTimeout);
  }

  /**
   * The real Response a `fetch()` caller gets, as it would arrive over the wire (Content-Length,
   * no body for HEAD). The handler's response is only touched inside the `try`: if it fails
   * here, the caller gets the same logged 500 as a socket client.
   */
  private async forCaller(
    response: Response,
    method: string,
    target: Target | undefined,
  ): Promise<Response> {
    try {
      return await callerResponse(response, method === 'HEAD');
    } catch (err) {
      this.logSendFailure(err, method, target, 'error');
      return realResponse(errorResponse(500, HttpErrors.internal));
    }
  }

  /** Binds `server.bind:server.port` (0 = ephemeral) and resolves to the base URL. */
  listen(): Promise<string> {
    if (this.server !== undefined)
      throw new ModhostError(ErrorCode.HOST_STATE, 'The web server is already listening.');
    const c = this.config;
    const requestTimeout = c.request_timeout;
    const headersTimeout =
      requestTimeout > 0 ? Math.min(c.headers_timeout, requestTimeout) : c.headers_timeout;
    const shortest = Math.min(headersTimeout, requestTimeout > 0 ? requestTimeout : Infinity);
    const server = nodeHttp().createServer(
      {
        headersTimeout,
        requestTimeout,
        keepAliveTimeout: c.keep_alive_timeout,
        // Node checks the two timeouts on this interval (default 30s): keep it well below them.
        connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(shortest / 4))),
      },
      (req, res) => this.onRequest(req, res),
    );
    server.keepAliveTimeout = c.keep_alive_timeout;
    this.connections = new ConnectionDrain(server);
    // `Expect: 100-continue`: refuse an oversized upload before the client sends it.
    // Only a body a handler may read is invited: a 404, 405 or malformed request is answered
    // without the client sending it.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      const length = declaredLength(req.headers['content-length']);
      if (
        (length === undefined || length <= this.dispatcher.maxBodySize) &&
        this.routesToHandler(req)
      )
        res.writeContinue();
      this.onRequest(req, res);
    });
    // CONNECT (authority-form) never reaches 'request'; unanswered, Node would just drop it.
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => answerRawAndClose(socket, 501));
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(listenFailedError(c.bind, c.port, err));
      };
      const onListening = () => {
        server.off('error', onError);
        server.on('error', (err) => this.logger.error({ err }, 'Web server error'));
        const address = server.address() as AddressInfo;
        this.server = server;
        if (c.fast_globals) this.releaseGlobals = installFastGlobals();
        this.fallbackHost = hostForUrl(address.address, address.port);
        this.baseUrl = `http://${this.fallbackHost}`;
        this.logger.info({ url: this.baseUrl }, `Serving web resources on ${this.baseUrl}`);
        resolve(this.baseUrl);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(c.port, c.bind);
    });
  }

  /**
   * Stops accepting connections, lets in-flight requests finish within `server.drain_timeout`,
   * then closes whatever is left. Every answer sent meanwhile carries `Connection: close`;
   * keep-alive connections are closed once idle (see drain.ts).
   */
  close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return Promise.resolve();
    this.draining = true;
    this.closing ??= this.connections!.close({
      timeout: this.config.drain_timeout,
      onTimeout: () =>
        this.logger.warn(
          { drain_timeout: this.config.drain_timeout },
          'Drain time is over; closing the connections still open',
        ),
    }).then(() => {
      this.releaseGlobals?.();
      this.releaseGlobals = undefined;
      this.server = undefined;
      this.connections = undefined;
      this.baseUrl = undefined;
    });
    return this.closing;
  }

  private routesToHandler(req: IncomingMessage): boolean {
    const checked = checkRequest(req.method ?? 'GET', req.url ?? '/', req.rawHeaders);
    if (typeof checked !== 'string') return false;
    return this.dispatcher.route(req.method ?? 'GET', checked, this.draining) instanceof Target;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // A throw escaping a request listener would crash the process: answer it instead.
    try {
      this.handle(req, res);
    } catch (err) {
      this.sendFailed(res, err, req.method ?? 'GET', undefined, false);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const checked = checkRequest(method, req.url ?? '/', req.rawHeaders);
    const routed =
      typeof checked === 'string'
        ? this.dispatcher.route(method, checked, this.draining)
        : new Answer(errorResponse(checked.status, checked.body), UNMATCHED);
    if (!(routed instanceof Target)) {
      const close = unreadBodyUnbounded(req, this.dispatcher.maxBodySize);
      this.send(res, routed.response, method, undefined, routed.label, started, close);
      return;
    }
    const label = routed.resource.path;
    const limit = this.dispatcher.maxBodySize;
    // GET and HEAD bodies are never read; skipping them avoids building `req.headers`.
    const length =
      method === 'GET' || method === 'HEAD'
        ? undefined
        : declaredLength(req.headers['content-length']);
    if (length !== undefined && length > limit) {
      // Refuse before reading: the handler never sees the body, the connection is not reused.
      const tooLarge = errorResponse(413, HttpErrors.tooLarge(limit));
      routed.resource.inFlight++;
      this.send(res, tooLarge, method, routed, label, started, true);
      return;
    }
    const request = nodeRequest(req, res, method, this.fallbackHost, limit);
    const context = new RequestContext(
      routed.resource.owner.name,
      routed.resource.path,
      routed.subpath,
      request,
      routed.params,
    );
    // In flight until its response is written (record, below): module-metrics.ts reads it.
    routed.resource.inFlight++;
    const result = this.dispatcher.invoke(routed, request, context, method);
    // The dispatcher answers with a Response or its own native Promise of one.
    if (!(result instanceof Promise)) {
      this.send(res, result, method, routed, label, started, unreadBodyUnbounded(req, limit));
      return;
    }
    // The dispatcher's promise never rejects, but sending touches the handler's response (a
    // hostile object may throw there): such a throw is answered as a failed send.
    whenAnswered(
      result,
      this.config.handler_timeout,
      () => this.timedOut(routed, method, (reason) => abortNodeRequest(request, reason)),
      (r) =>
        this.send(
          res,
          r,
          method,
          routed,
          label,
          started,
          r.status === 413 || unreadBodyUnbounded(req, limit),
        ),
      (err) => {
        this.sendFailed(res, err, method, routed, false);
        this.record(res, label, method, started, routed);
      },
    );
  }

  /** Writes `response`; any failure (now or while streaming) is logged and answered. Never throws. */
  private send(
    res: ServerResponse,
    response: Response,
    method: string,
    target: Target | undefined,
    label: string,
    started: number,
    closeConnection: boolean,
  ): void {
    const close = closeConnection || this.draining;
    let done: void | Promise<void>;
    try {
      done = writeNodeResponse(res, response, method === 'HEAD', close);
    } catch (err) {
      this.sendFailed(res, err, method, target, close);
      this.record(res, label, method, started, target);
      return;
    }
    if (done === undefined) {
      this.record(res, label, method, started, target);
      return;
    }
    done
      .catch((err: unknown) => this.sendFailed(res, err, method, target, close))
      .finally(() => this.record(res, label, method, started, target))
      .catch(() => undefined); // `record` cannot fail; this only rules out an unhandled rejection
  }

  /**
   * Writing a response failed: a logged 500 when nothing was sent yet, else (a body stream that
   * broke midway) a logged warning and a closed connection. Never throws.
   */
  private sendFailed(
    res: ServerResponse,
    err: unknown,
    method: string,
    target: Target | undefined,
    closeConnection: boolean,
  ): void {
    try {
      if (res.destroyed) return; // the client left; nobody to answer
      if (!res.headersSent) {
        this.logSendFailure(err, method, target, 'error');
        // Drop whatever the failed response had set (its type, cookies, length).
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        const body = JSON.stringify(HttpErrors.internal);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        };
        if (closeConnection) headers.connection = 'close';
        res.writeHead(500, headers);
        res.end(method === 'HEAD' ? undefined : body);
      } else {
        this.logSendFailure(err, method, target, 'warn');
        res.destroy();
      }
    } catch (second) {
      this.logger.error({ err: second }, 'Could not answer a failed HTTP response; closing it');
      res.destroy();
    }
  }

  private logSendFailure(
    err: unknown,
    method: string,
    target: Target | undefined,
    level: 'error' | 'warn',
  ): void {
    const path = target?.resource.path ?? '(server response)';
    const fields = { module: target?.resource.owner.name, path, method };
    const msg =
      level === 'error'
        ? webResponseWriteFailed(method, path)
        : webResponseStreamFailed(method, path);
    try {
      this.logger[level]({ ...fields, err }, msg);
    } catch {
      this.logger[level](fields, msg);
    }
  }

  private record(
    res: ServerResponse,
    label: string,
    method: string,
    started: number,
    target: Target | undefined,
  ): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.record(label, method, res.statusCode, seconds);
    if (target !== undefined) finished(target.resource, seconds);
  }
}

/** One request to `resource` is answered (its response written): its module's load metrics. */
function finished(resource: WebResource, seconds: number): void {
  resource.inFlight--;
  resource.busySeconds += seconds;
}

/**
 * The error for an HTTP listener that could not bind (a busy port, a foreign address), as
 * `modhost serve` reports it. Public, for applications that run their own server next to the
 * host; `settings` names where the address came from.
 */
export function listenFailedError(
  bind: string,
  port: number,
  err: NodeJS.ErrnoException,
  settings?: string,
): ModhostError {
  return new ModhostError(ErrorCode.LISTEN_FAILED, webListenFailed(bind, port, err, settings), {
    cause: err,
  });
}

/** A minimal JSON error written straight to a socket the HTTP server handed over, then closed. */
function answerRawAndClose(socket: Duplex, status: 501): void {
  const body = JSON.stringify(HttpErrors.methodNotImplemented('CONNECT'));
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} Not Implemented\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * Whether answering now would leave Node to read (and discard) a request body of unknown or
 * excessive size before the connection could be reused: a body nobody reads is never read past
 * `server.max_request_size`, so such a connection is closed after the response instead. A body
 * already received whole (every bodiless request) or declared within the limit is cheap to skip.
 */
function unreadBodyUnbounded(req: IncomingMessage, limit: number): boolean {
  if (req.complete) return false;
  // A handler answering synchronously runs before Node's parser marks even a bodiless request
  // complete: look at the framing headers (scanning rawHeaders spares building `req.headers`).
  // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 §6.3).
  const raw = req.rawHeaders;
  let contentLength: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
    if (name.length === 14 && name.toLowerCase() === 'content-length') contentLength = raw[i + 1];
  }
  if (contentLength === undefined) return false;
  const length = declaredLength(contentLength);
  return length === undefined || length > limit;
}

function hostForUrl(address: string, port: number): string {
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '[::1]' : address;
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
