/**
 * Writes a Fetch Response to a Node ServerResponse. A fast response nobody touched is written
 * from its fields in one `writeHead` + `end`; a real one with a body of known size (a fast one
 * made real, or undici's own where its source can be read) in one `end` with Content-Length;
 * anything else is streamed with backpressure, with Content-Length when the stream turns out to
 * be complete within its first reads (a string or bytes body on an undici whose internals are
 * not readable). HEAD gets the headers, Content-Length included, without the body.
 */
import type { ServerResponse } from 'node:http';
import {
  bodySize,
  isFastResponse,
  knownSource,
  untouchedParts,
  type FastBody,
} from './fast-response.js';
import { responseSource } from './response-source.js';
import { readAhead } from './read-ahead.js';

export function writeNodeResponse(
  res: ServerResponse,
  response: Response,
  head: boolean,
  closeConnection: boolean,
): void | Promise<void> {
  const fast = untouchedParts(response);
  if (fast !== undefined) {
    const body = fast.body;
    const writeHead = (length: number | undefined) => {
      // A flat [name, value, …] list, not a copy of the record: Node's own for-in over a header
      // object, or over a spread copy, costs more than the rest of writeHead. The response's
      // own headers stay untouched.
      const headers = fast.headers;
      const flat: string[] = [];
      for (const name in headers) {
        if (closeConnection && name === 'connection') continue;
        flat.push(name, headers[name]!);
      }
      if (length !== undefined && headers['content-length'] === undefined)
        flat.push('content-length', String(length));
      if (closeConnection) flat.push('connection', 'close');
      if (fast.statusText === '') res.writeHead(fast.status, flat);
      else res.writeHead(fast.status, fast.statusText, flat);
    };
    // Taken before anything is written: a locked stream throws here, while a 500 can still be sent.
    if (body instanceof ReadableStream) return sendStream(res, body.getReader(), head, writeHead);
    writeHead(bodySize(body));
    return endWith(res, body, head);
  }
  res.statusCode = response.status;
  if (response.statusText !== '') res.statusMessage = response.statusText;
  let cookies: string[] | undefined;
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') cookies ??= response.headers.getSetCookie();
    else res.setHeader(name, value);
  });
  if (cookies !== undefined) res.setHeader('set-cookie', cookies);
  if (closeConnection) res.setHeader('connection', 'close');
  const source: FastBody | undefined = isFastResponse(response)
    ? knownSource(response)
    : responseSource(response);
  if (source !== undefined && !(source instanceof ReadableStream)) {
    const length = bodySize(source);
    if (length !== undefined && !res.hasHeader('content-length'))
      res.setHeader('content-length', length);
    return endWith(res, source, head);
  }
  const stream = response.body;
  if (stream === null) {
    res.end();
    return;
  }
  // Taken before anything is written (see above).
  return sendStream(res, stream.getReader(), head, (length) => {
    if (length !== undefined && !res.hasHeader('content-length'))
      res.setHeader('content-length', length);
  });
}

function endWith(res: ServerResponse, body: FastBody, head: boolean): void | Promise<void> {
  if (head || body === null) res.end();
  else if (body instanceof Blob)
    return body.arrayBuffer().then((ab) => void res.end(Buffer.from(ab)));
  else res.end(body as string | Uint8Array);
}

/** A stream of unknown length: sent whole with Content-Length if it ends within its first reads. */
async function sendStream(
  res: ServerResponse,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  head: boolean,
  /** Sets the status and headers, with the body's length when known. */
  writeHead: (length: number | undefined) => void,
): Promise<void> {
  // Nothing is written before the first chunk: a stream failing at once still gets a clean 500.
  const ahead = await readAhead(reader);
  writeHead(ahead.whole?.byteLength);
  if (ahead.whole !== undefined) {
    res.end(head || ahead.whole.byteLength === 0 ? undefined : ahead.whole);
    return;
  }
  if (head) {
    void reader.cancel().catch(() => undefined);
    res.end();
    return;
  }
  for (const chunk of ahead.chunks) res.write(chunk);
  return pump(reader, res, ahead.pending);
}

/**
 * Streams the body. Rejects when the body stream fails (the caller answers 500 if nothing was
 * sent yet, else closes the connection); resolves quietly when the client went away.
 */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
  pending?: Promise<ReadableStreamReadResult<Uint8Array>>,
): Promise<void> {
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await (pending ?? reader.read());
      pending = undefined;
      if (done) break;
      if (!res.write(value)) await waitForDrain(res);
    }
    res.end();
  } catch (err) {
    void reader.cancel(err).catch(() => undefined);
    if (res.destroyed && !res.writableFinished) return; // the client left; nobody to tell
    // Node sends what was written on the next tick (corked); let it go out before the caller
    // closes the connection, so the client sees the status and the data before the break.
    if (res.headersSent) await new Promise((resolve) => setImmediate(resolve));
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
