/**
 * Request bodies under `server.max_request_size`: a handler never sees more than the limit; past
 * it, reading fails with WEB_BODY_TOO_LARGE, which the server answers with 413.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, hasErrorCode, ModhostError } from '../errors/index.js';
import { WEB_CLIENT_CLOSED_UPLOAD, webBodyTooLarge } from '../errors/web-messages.js';

export function bodyTooLarge(limit: number): ModhostError {
  return new ModhostError(ErrorCode.WEB_BODY_TOO_LARGE, webBodyTooLarge(limit));
}

export function isBodyTooLarge(err: unknown): boolean {
  return hasErrorCode(err, ErrorCode.WEB_BODY_TOO_LARGE);
}

/** The client went away (or broke the request) before sending the whole body. */
export function clientClosed(cause?: unknown): ModhostError {
  return new ModhostError(ErrorCode.WEB_CLIENT_CLOSED, WEB_CLIENT_CLOSED_UPLOAD, { cause });
}

export function isClientClosed(err: unknown): boolean {
  return err instanceof ModhostError && err.code === ErrorCode.WEB_CLIENT_CLOSED;
}

/** The declared Content-Length, or undefined when absent or not a plain number. */
export function declaredLength(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

const EMPTY = Buffer.alloc(0);

/** Reads a Node request body whole, failing (and stopping the upload) past `limit` bytes. */
export function readNodeBody(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  if (incoming.readableEnded) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        incoming.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    // Node reports an aborted upload as an 'error' (ECONNRESET "aborted") and/or a 'close'.
    const onError = (err: Error) => {
      cleanup();
      reject(clientClosed(err));
    };
    const onClose = () => {
      if (incoming.readableEnded) return;
      cleanup();
      reject(clientClosed());
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** A web stream of a Node request body that errors (and stops) past `limit` bytes. */
export function nodeBodyStream(
  incoming: IncomingMessage,
  limit: number,
): ReadableStream<Uint8Array> {
  let size = 0;
  // Node events can still arrive after the stream was cancelled or errored; the controller
  // throws on enqueue/close then, and a throw in an event listener would crash the process.
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        incoming.pause();
        incoming.removeAllListeners('data');
        controller.error(err);
      };
      incoming.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limit) return fail(bodyTooLarge(limit));
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
      });
      incoming.on('end', () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      incoming.on('error', (err) => fail(clientClosed(err)));
      incoming.on('close', () => {
        if (!incoming.readableEnded) fail(clientClosed());
      });
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      settled = true;
      incoming.pause();
    },
  });
}

/** `stream` passed through a byte counter that errors past `limit` (for `host.fetch`). */
export function limitStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): ReadableStream<Uint8Array> {
  let size = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) controller.error(bodyTooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
}
