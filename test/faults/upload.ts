/** An endless upload on a raw socket, for the tests that check a server stops reading. */
import type { Socket } from 'node:net';
import { rawSocket, readUntilClosed } from '../web/helpers.js';

/** Most a client may push before the server's close reaches it (kernel buffers on loopback). */
export const BOUND = 48 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const CHUNK_FRAME = Buffer.concat([
  Buffer.from(`${CHUNK.length.toString(16)}\r\n`),
  CHUNK,
  Buffer.from('\r\n'),
]);

/**
 * Sends `head` then body bytes (chunk frames or raw bytes) as fast as the socket takes them
 * until the server closes the connection or BOUND bytes were written. Resolves to the bytes
 * written and what the server answered.
 */
export async function pushUntilClosed(
  url: string,
  head: string,
  chunked: boolean,
): Promise<{ written: number; reply: string }> {
  const socket: Socket = await rawSocket(url);
  const reply = readUntilClosed(socket);
  let written = 0;
  let closed = false;
  socket.once('close', () => (closed = true));
  socket.write(head);
  const frame = chunked ? CHUNK_FRAME : CHUNK;
  while (!closed && written < BOUND) {
    written += frame.length;
    if (!socket.write(frame))
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
  }
  socket.destroy();
  return { written, reply: await reply };
}
