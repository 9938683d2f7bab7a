/**
 * Finds out, through the public stream API only, whether a body stream of unknown length is
 * already complete: a Response built from a string or bytes yields its body in one chunk and then
 * ends at once, while a real stream (server-sent events, a proxied download) has to wait for
 * its producer. One chunk is read, then the next read is given until the next turn of the event
 * loop; a stream still pending then is streamed, delayed by that one turn at most.
 */
export interface ReadAhead {
  /** The whole body, when the stream ended within the first reads. */
  whole: Uint8Array | undefined;
  /** Otherwise, the chunks read so far, in order… */
  chunks: Uint8Array[];
  /** …and the read still under way, if any (await it before reading further). */
  pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
}

const EMPTY = new Uint8Array(0);
const LATER = Symbol('later');

export async function readAhead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadAhead> {
  const first = await reader.read();
  if (first.done) return { whole: EMPTY, chunks: [], pending: undefined };
  const next = reader.read();
  const second = await Promise.race([
    next,
    new Promise<typeof LATER>((resolve) => setImmediate(resolve, LATER)),
  ]);
  if (second === LATER) return { whole: undefined, chunks: [first.value], pending: next };
  if (second.done && first.value instanceof Uint8Array)
    return { whole: first.value, chunks: [], pending: undefined };
  return {
    whole: undefined,
    chunks: second.done ? [first.value] : [first.value, second.value],
    pending: second.done ? Promise.resolve(second) : undefined,
  };
}
