/** Helpers for the samples' tests: a real loopback HTTP service, and awaiting rejections. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface JsonService {
  url: string;
  received: ReceivedRequest[];
  /** Resolves with the next request the service receives. */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export type Answer = { status: number; body: unknown; raw?: string };

/** A loopback HTTP service answering each JSON request with `answer(request)`. */
export async function startJsonService(
  answer: (request: ReceivedRequest) => Answer | Promise<Answer>,
): Promise<JsonService> {
  const received: ReceivedRequest[] = [];
  let waiters: ((r: ReceivedRequest) => void)[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    received.push(request);
    const { status, body, raw } = await answer(request);
    const payload = raw ?? JSON.stringify(body);
    res.writeHead(status, { 'content-type': raw ? 'text/plain' : 'application/json' });
    res.end(payload);
    const current = waiters;
    waiters = [];
    for (const w of current) w(request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { rejectionOf } from '../helpers/rejection.js';
