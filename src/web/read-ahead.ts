/**
 * Finds out, through the public stream API only, whether a body stream of unknown length is
 * already complete: a Response built from a string or bytes (or a stream filled up front) yields
 * its chunks and ends at once, while a live stream (server-sent events, a proxied download)
 * waits for its producer. Chunks are read for as long as each read settles within the current
 * turn of the event loop (up to MAX_AHEAD bytes); a stream still pending then is streamed,
 * delayed by that one turn at most.
 */
export interface ReadAhead {
  /** The whole body, when the stream ended within the first reads. */
  whole: Uint8Array | undefined;
  /** Otherwise, the chunks read so far, in order… */
  chunks: Uint8Array[];
  /** …and the read still under way, if any (await it before reading further). */
  pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
}

const MAX_AHEAD = 64 * 1024;
const LATER = Symbol('later');

export async function readAhead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadAhead> {
  // The first read may wait (the body's first chunk); later ones only until the next turn.
  let result = await reader.read();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let turn: Promise<typeof LATER> | undefined;
  for (;;) {
    if (result.done) return { whole: concat(chunks, size), chunks: [], pending: undefined };
    const value = result.value as unknown;
    // Not bytes (a hand-made stream of strings): leave it to the writer, which will refuse it.
    if (!(value instanceof Uint8Array) || size + value.byteLength > MAX_AHEAD) {
      chunks.push(result.value);
      return { whole: undefined, chunks, pending: undefined };
    }
    chunks.push(value);
    size += value.byteLength;
    const next = reader.read();
    // After the first chunk, a failing read is left to the writer (which has sent the status
    // by then, as it would have streaming): reading ahead changes no outcome, only the length.
    // Its result if it settles within a few microtask hops (data already queued, or the end),
    // LATER if it fails, undefined if still pending: the hops spare a timer in the common case
    // of a body that is already complete.
    let settled: ReadableStreamReadResult<Uint8Array> | typeof LATER | undefined;
    next.then(
      (r) => (settled = r),
      () => (settled = LATER),
    );
    for (let hop = 0; hop < 4 && settled === undefined; hop++) await undefined;
    if (settled !== undefined && settled !== LATER) {
      result = settled;
      continue;
    }
    if (settled === undefined) {
      const raced = await Promise.race([
        next.then(undefined, (): typeof LATER => LATER),
        (turn ??= nextTurn()),
      ]);
      if (raced !== LATER) {
        result = raced;
        continue;
      }
    }
    return { whole: undefined, chunks, pending: next };
  }
}

function nextTurn(): Promise<typeof LATER> {
  return new Promise((resolve) => setImmediate(resolve, LATER));
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
