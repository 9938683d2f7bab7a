/**
 * `server.handler_timeout`: a web handler that has not answered in time gets 503 for its client
 * and an aborted `request.signal`, so it can stop its work; whatever it returns later is
 * dropped. Only handlers that return a promise need a timer (a synchronous answer is on time).
 */
import { ErrorCode, hasErrorCode, ModhostError } from '../errors/index.js';
import { webHandlerTimedOut } from '../errors/web-messages.js';

export function handlerTimeoutError(method: string, path: string, ms: number): ModhostError {
  return new ModhostError(ErrorCode.WEB_HANDLER_TIMEOUT, webHandlerTimedOut(method, path, ms));
}

/** `err` is (or was caused by) a handler timeout: the handler rethrew `request.signal.reason`. */
export function isHandlerTimeout(err: unknown): boolean {
  return hasErrorCode(err, ErrorCode.WEB_HANDLER_TIMEOUT);
}

/**
 * `pending` (which never rejects), or `onTimeout()`'s answer if it has not settled within `ms`
 * (0 = no deadline). A late response's body is cancelled, so its stream is not left open.
 */
export function withDeadline(
  pending: Promise<Response>,
  ms: number,
  onTimeout: () => Response,
): Promise<Response> {
  if (ms <= 0) return pending;
  return new Promise<Response>((resolve) => whenAnswered(pending, ms, onTimeout, resolve));
}

/**
 * As withDeadline, for a caller that only wants the answer handed to it: `deliver` gets
 * `pending`'s response or, past `ms`, `onTimeout()`'s, once, without a promise of its own in
 * between (the socket path's every promised response goes through here). A throw from
 * `deliver` goes to `failed`.
 */
export function whenAnswered(
  pending: Promise<Response>,
  ms: number,
  onTimeout: () => Response,
  deliver: (response: Response) => void,
  failed: (err: unknown) => void = (err) => {
    throw err;
  },
): void {
  const give = (response: Response) => {
    try {
      deliver(response);
    } catch (err) {
      failed(err);
    }
  };
  if (ms <= 0) return void pending.then(give);
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    let answer: Response;
    try {
      answer = onTimeout();
    } catch (err) {
      return failed(err);
    }
    give(answer);
  }, ms);
  // The request itself (its socket, or the host.fetch caller) is what keeps a process alive.
  timer.unref();
  void pending.then((response) => {
    if (!late) {
      clearTimeout(timer);
      return give(response);
    }
    try {
      void response.body?.cancel().catch(() => undefined);
    } catch {
      // A hostile late value: nothing was going to be sent anyway.
    }
  });
}
