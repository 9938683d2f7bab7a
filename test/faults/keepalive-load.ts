/**
 * A keep-alive HTTP load: `connections` clients, each sending its next request as soon as the
 * previous answer arrived, over one keep-alive agent. Counts what a load balancer would see when
 * the server goes away: answers, failed answers, resets (a request sent and never answered) and
 * refused connections (the server no longer listens: the client's cue to go elsewhere).
 */
import { Agent, request } from 'node:http';

export interface LoadResult {
  ok: number;
  /** Answers other than 200. */
  failedStatus: number;
  /** ECONNRESET / "socket hang up": a request the server accepted and dropped. */
  resets: number;
  /** Connections refused (the listener was closed): the client stops. */
  refused: number;
  /** Other errors, by message. */
  otherErrors: string[];
  /** Answers that carried `Connection: close`. */
  closing: number;
}

export async function keepAliveLoad(
  baseUrl: string,
  path: string,
  connections: number,
  /** Called once, after this many answers. */
  trigger: { after: number; fire: () => void },
): Promise<LoadResult> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const result: LoadResult = {
    ok: 0,
    failedStatus: 0,
    resets: 0,
    refused: 0,
    otherErrors: [],
    closing: 0,
  };
  let answered = 0;
  let fired = false;
  const once = (): Promise<'again' | 'stop'> =>
    new Promise((resolve) => {
      const req = request(
        { host: url.hostname, port: url.port, path, method: 'GET', agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) result.ok++;
            else result.failedStatus++;
            if (res.headers.connection === 'close') result.closing++;
            if (++answered >= trigger.after && !fired) {
              fired = true;
              trigger.fire();
            }
            resolve('again');
          });
          res.on('error', () => {
            result.resets++;
            resolve('stop');
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') result.refused++;
        else if (err.code === 'ECONNRESET' || err.message === 'socket hang up') result.resets++;
        else result.otherErrors.push(err.message);
        resolve('stop');
      });
      req.end();
    });
  const client = async () => {
    while ((await once()) === 'again');
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  return result;
}
