/**
 * Writes a Fetch Response to a Node ServerResponse: fast responses and string/byte bodies in one
 * `end()`, everything else streamed with backpressure. HEAD gets the headers without the body.
 */
import type { ServerResponse } from 'node:http';
import { fastResponseParts } from './responses.js';
import { responseSource } from './response-source.js';

export function writeNodeResponse(
  res: ServerResponse,
  response: Response,
  head: boolean,
  closeConnection: boolean,
): void | Promise<void> {
  const fast = fastResponseParts(response);
  if (fast !== undefined) {
    const body = fast.body;
    let headers: Record<string, string> = fast.headers;
    // Stored on the response's own header record: a response served twice computes it once.
    if (body !== null && headers['content-length'] === undefined)
      headers['content-length'] = String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.length,
      );
    if (closeConnection) headers = { ...headers, connection: 'close' };
    res.writeHead(fast.status, headers);
    if (head || body === null) res.end();
    else res.end(body);
    return;
  }
  res.statusCode = response.status;
  let cookies: string[] | undefined;
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') cookies ??= response.headers.getSetCookie();
    else res.setHeader(name, value);
  });
  if (cookies !== undefined) res.setHeader('set-cookie', cookies);
  if (closeConnection) res.setHeader('connection', 'close');
  const stream = response.body;
  if (stream === null) {
    res.end();
    return;
  }
  const source = responseSource(response);
  if (source !== undefined) {
    if (!res.hasHeader('content-length'))
      res.setHeader(
        'content-length',
        typeof source === 'string' ? Buffer.byteLength(source) : source.length,
      );
    if (head) res.end();
    else res.end(source);
    return;
  }
  // Taken before anything is written: a locked or read body throws here, while a 500 can
  // still be sent instead.
  const reader = stream.getReader();
  if (head) {
    void reader.cancel().catch(() => undefined);
    res.end();
    return;
  }
  return pump(reader, res);
}

/**
 * Streams the body. Rejects when the body stream fails (the caller answers 500 if nothing was
 * sent yet, else closes the connection); resolves quietly when the client went away.
 */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
): Promise<void> {
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await waitForDrain(res);
    }
    res.end();
  } catch (err) {
    void reader.cancel(err).catch(() => undefined);
    if (res.destroyed && !res.writableFinished) return; // the client left; nobody to tell
    throw err;
  } finally {
    res.off('close', onClose);
  }
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', closed);
      resolve();
    };
    const closed = () => {
      res.off('drain', done);
      reject(new Error('Client closed the connection while the response was being sent'));
    };
    res.once('drain', done);
    res.once('close', closed);
  });
}
