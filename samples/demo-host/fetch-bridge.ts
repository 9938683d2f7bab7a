/**
 * Hands a Node request to the module host as a Fetch Request and writes its Response back.
 * The demo's own routes never pay for this; only requests for module web resources do.
 * The body is streamed, never buffered: `host.fetch` applies `server.max_request_size` as the
 * handler reads it (413 past it), and a body declared larger is refused before reading.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModuleHost } from 'modhost';
import { closeAfter, declaredLength, sendJson } from './http-util.js';

export async function forwardToHost(
  host: ModuleHost,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? 'GET';
  const limit = host.config.server.max_request_size;
  if ((declaredLength(req) ?? 0) > limit) {
    return sendJson(res, 413, {
      errcode: 'M_TOO_LARGE',
      error: `Request body is larger than the limit of ${limit} bytes`,
    });
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const response = await host.fetch(
    new Request(new URL(`${url.pathname}${url.search}`, host.config.server.public_baseurl), {
      method,
      headers,
      body: hasBody ? bodyStream(req) : undefined,
      duplex: 'half',
    } as RequestInit),
  );
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  const bytes = Buffer.from(await response.arrayBuffer());
  if (method !== 'HEAD') out['content-length'] = String(bytes.length);
  if (closeAfter(res)) out.connection = 'close';
  res.writeHead(response.status, out);
  res.end(method === 'HEAD' ? undefined : bytes);
}

/**
 * The request body as a web stream with backpressure. Cancelling it (the host stops reading at
 * its size limit) only pauses the upload: the socket stays open for the 413.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.on('end', () => {
        if (!done) controller.close();
        done = true;
      });
      const fail = (err: Error) => {
        if (!done) controller.error(err);
        done = true;
      };
      req.on('error', fail);
      req.on('close', () => {
        if (!req.complete) fail(new Error('Client closed the connection mid-upload'));
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.pause();
    },
  });
}
