/**
 * A keep-alive HTTP load: `connections` clients, each sending its next request as soon as the
 * previous answer arrived, over one keep-alive agent. Counts what a load balancer would see when
 * the server goes away: answers, failed answers, resets (a request sent and never answered) and
 * refused connections (the server no longer listens: the client's cue to go elsewhere).
 */
import { expect } from 'chai';
import { Agent, request } from 'node:http';
import type { ServeProcess } from './serve-process.js';

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

/**
 * Runs the load against a child server, sends it SIGTERM after `after` answers, and checks that
 * nothing was lost: 0 resets and failed answers, every client ends refused, exit 0, no error
 * logged. Prints the figures under `label`.
 */
export async function expectCleanSigterm(
  server: ServeProcess,
  path: string,
  label: string,
  after: number,
): Promise<LoadResult> {
  const connections = 50;
  let signalled = 0;
  const result = await keepAliveLoad(server.url, path, connections, {
    after,
    fire: () => {
      signalled = performance.now();
      server.child.kill('SIGTERM');
    },
  });
  const code = await server.exited;
  const stopMs = performance.now() - signalled;
  console.log(
    `      ${label}, SIGTERM under ${connections} keep-alive connections: ${result.resets} resets, ` +
      `${result.failedStatus} failed answers, ${result.ok} answered ` +
      `(${result.closing} with Connection: close), ${result.refused} refused after close, ` +
      `exit ${code} ${Math.round(stopMs)} ms after the signal`,
  );
  expect(result.resets, server.output).to.equal(0);
  expect(result.failedStatus).to.equal(0);
  expect(result.otherErrors).to.deep.equal([]);
  expect(result.ok).to.be.at.least(after);
  expect(result.closing, 'answers telling clients to go').to.be.at.least(1);
  expect(result.refused).to.equal(connections); // every client ends by finding the port closed
  expect(code, server.output).to.equal(0);
  expect(server.errorLines).to.deep.equal([]);
  return result;
}
