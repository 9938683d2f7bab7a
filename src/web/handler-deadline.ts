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
  return new Promise<Response>((resolve) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      resolve(onTimeout());
    }, ms);
    // The request itself (its socket, or the host.fetch caller) is what keeps a process alive.
    timer.unref();
    void pending.then((response) => {
      if (!late) {
        clearTimeout(timer);
        resolve(response);
        return;
      }
      try {
        void response.body?.cancel().catch(() => undefined);
      } catch {
        // A hostile late value: nothing was going to be sent anyway.
      }
    });
  });
}
