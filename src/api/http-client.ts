/**
 * The HTTP client modules get (Synapse's `http_client`): timeouts on every request, JSON
 * helpers, and errors that carry the status and body so a module can say what went wrong.
 */
import { redactUrl } from '../config/redact.js';
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';

export interface HttpRequestOptions {
  headers?: Record<string, string>;
  /** A string or bytes are sent as they are; anything else as JSON. */
  body?: unknown;
  /** ms; defaults to the client's timeout. */
  timeout?: number;
  query?: Record<string, string | number | boolean | undefined>;
}

/**
 * A non-2xx answer: the status, and the body as text (first 64 KiB). `url` and the message carry
 * the URL with credentials and secret query values masked, since both end up in logs.
 */
export class HttpResponseError extends ModhostError {
  override name = 'HttpResponseError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(
      ErrorCode.HTTP_REQUEST_FAILED,
      `${method} ${url} answered ${status}: ${body.length > 200 ? `${body.slice(0, 200)}…` : body}`,
    );
  }
}

const BODY_LIMIT = 64 * 1024;

export class HttpClient {
  constructor(private readonly defaultTimeout = 10_000) {}

  async request(method: string, url: string, options: HttpRequestOptions = {}): Promise<Response> {
    const target = new URL(url);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) target.searchParams.set(k, String(v));
    }
    // Only error messages show the URL: redact it there, not on every request.
    if (target.username !== '' || target.password !== '') {
      throw new ModhostError(
        ErrorCode.HTTP_REQUEST_FAILED,
        `${method} ${redactUrl(target)}: URLs carrying credentials cannot be fetched; send them in an Authorization header`,
      );
    }
    const headers = new Headers(options.headers);
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string' || options.body instanceof Uint8Array) {
        body = options.body as BodyInit;
      } else {
        body = JSON.stringify(options.body);
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      }
    }
    const timeout = options.timeout ?? this.defaultTimeout;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeout),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new ModhostError(
          ErrorCode.HTTP_TIMEOUT,
          `${method} ${redactUrl(target)} timed out after ${timeout} ms`,
          {
            cause: err,
          },
        );
      }
      const reason = (e.cause as Error | undefined)?.message ?? e.message;
      throw new ModhostError(
        ErrorCode.HTTP_REQUEST_FAILED,
        `${method} ${redactUrl(target)} failed: ${reason}`,
        {
          cause: err,
        },
      );
    }
    if (!response.ok) {
      const text = (await response.text()).slice(0, BODY_LIMIT);
      throw new HttpResponseError(method, redactUrl(target), response.status, text);
    }
    return response;
  }

  private async json<T>(method: string, url: string, options: HttpRequestOptions): Promise<T> {
    const response = await this.request(method, url, {
      ...options,
      headers: { accept: 'application/json', ...options.headers },
    });
    const text = await response.text();
    try {
      return (text === '' ? null : JSON.parse(text)) as T;
    } catch {
      throw new ModhostError(
        ErrorCode.HTTP_REQUEST_FAILED,
        `${method} ${redactUrl(new URL(response.url))} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  getJson<T = unknown>(
    url: string,
    query?: HttpRequestOptions['query'],
    options: HttpRequestOptions = {},
  ) {
    return this.json<T>('GET', url, { ...options, query });
  }

  postJsonGetJson<T = unknown>(url: string, body: unknown, options: HttpRequestOptions = {}) {
    return this.json<T>('POST', url, { ...options, body });
  }

  putJson<T = unknown>(url: string, body: unknown, options: HttpRequestOptions = {}) {
    return this.json<T>('PUT', url, { ...options, body });
  }
}
