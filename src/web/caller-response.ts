/**
 * The real Response a `host.fetch()` caller gets, as it would arrive over the wire: Content-Length
 * set when the body's size is known (from a fast response's fields, undici's source where
 * readable, or a stream that turns out complete within its first reads), and no body for HEAD.
 */
import {
  originalResponse,
  bodySize,
  isFastResponse,
  knownSource,
  realResponse,
  type FastBody,
} from './fast-response.js';
import { readAhead } from './read-ahead.js';
import { responseSource } from './response-source.js';

export async function callerResponse(response: Response, head: boolean): Promise<Response> {
  const source: FastBody | undefined = isFastResponse(response)
    ? knownSource(response)
    : responseSource(response);
  const real = realResponse(response);
  let length = bodySize(source);
  let body: BodyInit | null | undefined; // undefined: keep the real response's body
  if (length === undefined && real.body !== null && !real.body.locked) {
    const reader = real.body.getReader();
    const ahead = await readAhead(reader);
    if (ahead.whole !== undefined) {
      length = ahead.whole.byteLength;
      body = ahead.whole as Uint8Array<ArrayBuffer>;
    } else {
      body = resumed(reader, ahead.chunks, ahead.pending);
    }
  }
  if (body === undefined && !head) {
    if (length !== undefined) setLength(real.headers, length);
    return real;
  }
  const headers = new Headers(real.headers);
  if (length !== undefined) setLength(headers, length);
  if (head) {
    if (body instanceof ReadableStream) void body.cancel().catch(() => undefined);
    else if (body === undefined && real.body !== null)
      void real.body.cancel().catch(() => undefined);
    body = null;
  }
  return new (originalResponse())(body ?? null, {
    status: real.status,
    statusText: real.statusText,
    headers,
  });
}

function setLength(headers: Headers, length: number): void {
  if (headers.has('content-length')) return;
  try {
    headers.set('content-length', String(length));
  } catch {
    // Immutable headers (a Response.redirect or error()): leave them as they are.
  }
}

/** The rest of a stream whose first chunks were already read. */
function resumed(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  chunks: Uint8Array[],
  pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
    },
    async pull(controller) {
      const { done, value } = await (pending ?? reader.read());
      pending = undefined;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
