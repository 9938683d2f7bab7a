/**
 * A graceful drain for a `node:http` server: the module host's web server uses it, and it is
 * public for applications that run their own server next to the host (the demo does).
 *
 * http.Server's own `close()` (Node 19+) destroys idle keep-alive sockets at once, which resets
 * any request a client already sent on one; `closeIdleConnections()` does the same. Instead:
 * stop listening, answer every request still arriving with `Connection: close` (so its
 * connection closes after the answer), close a keep-alive connection only once it has been idle
 * — no request in progress, no byte received — for a whole sweep interval, and close whatever
 * is left when the drain time is over.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

export interface DrainOptions {
  /** How long in-flight requests get (ms) before the connections still open are closed. */
  timeout: number;
  /** Called when the time is over, just before the remaining connections are closed. */
  onTimeout?: () => void;
}

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

export class ConnectionDrain {
  private readonly sockets = new Set<HttpSocket>();
  private closing: Promise<void> | undefined;

  /** Tracks `server`'s connections from now on: create it with the server, before listening. */
  constructor(private readonly server: Server) {
    server.on('connection', (socket: HttpSocket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Whether `close()` was called: answers sent now should carry `Connection: close`. */
  get draining(): boolean {
    return this.closing !== undefined;
  }

  /** Drains as described above; resolves once every connection is closed. Idempotent. */
  close(options: DrainOptions): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const server = this.server;
      // Only now, so the hot path before the drain pays for no second request listener.
      server.prependListener('request', markClose);
      for (const socket of this.sockets) {
        const res = socket._httpMessage;
        if (res != null && !res.headersSent) res.setHeader('connection', 'close');
      }
      const timer = setTimeout(() => {
        options.onTimeout?.();
        server.closeAllConnections();
      }, options.timeout);
      const sweep = closeIdleSafely(this.sockets, idleSweepInterval(options.timeout));
      // net.Server's close stops listening and waits for the connections (see above); Node's
      // checks of headers/request timeouts go on meanwhile.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(timer);
        clearInterval(sweep);
        server.off('request', markClose);
        // No connection is left: http.Server's close now only stops its timeout checks.
        server.close();
        resolve();
      });
    });
    return this.closing;
  }
}

function markClose(_req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

/** How often the drain looks for idle connections: often, but a fraction of the drain time. */
function idleSweepInterval(drainTimeout: number): number {
  return Math.max(10, Math.min(250, Math.floor(drainTimeout / 8)));
}

/**
 * Closes keep-alive connections once they are idle, without dropping a request already on its
 * way: a connection is closed only when it had no request in progress and received no byte for
 * a whole sweep interval. Busy connections close themselves after their answer (which carries
 * `Connection: close` while draining). Returns the sweep's interval timer.
 */
function closeIdleSafely(sockets: Set<HttpSocket>, every: number): NodeJS.Timeout {
  const seen = new WeakMap<Socket, number>();
  const sweep = () => {
    for (const socket of sockets) {
      // Node keeps the response being written (or waited for) on the socket until it finishes.
      const busy = socket._httpMessage != null;
      const read = socket.bytesRead;
      if (!busy && seen.get(socket) === read) socket.destroy();
      else seen.set(socket, read);
    }
  };
  sweep();
  return setInterval(sweep, every);
}
