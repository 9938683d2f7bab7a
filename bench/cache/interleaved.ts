/**
 * Times several subjects in short batches interleaved with each other, for benchmarks run on a
 * shared machine. tinybench runs each task for its whole time in turn, so a change of machine
 * load between two tasks (another process starting) moves their ratio; here every subject runs
 * one batch (about a millisecond) in turn, the order rotating every pass, so all of them see the
 * same load, and each subject's figure is the median of its batch times, which a batch slowed by
 * preemption does not move.
 */
export type Batch = () => unknown;

/**
 * Median nanoseconds per operation of each subject, `ops` operations per batch. A batch may be
 * async (its promise is awaited inside the timing, as for awaited calls); a synchronous one is
 * followed by a microtask turn inside the timing, so what it queued runs before the next batch.
 */
export async function interleavedMedians(
  batches: Record<string, Batch>,
  ops: number,
  passes: number,
  warmupPasses: number,
): Promise<Record<string, number>> {
  const names = Object.keys(batches);
  const times: Record<string, Float64Array> = {};
  for (const name of names) times[name] = new Float64Array(passes);
  for (let pass = -warmupPasses; pass < passes; pass++) {
    const shift = ((pass % names.length) + names.length) % names.length;
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + shift) % names.length]!;
      const batch = batches[name]!;
      const start = performance.now();
      const result = batch();
      // Also the work a batch left to microtasks (a miss stores its entry when its computation
      // settles): timed for every subject alike.
      if (result instanceof Promise) await result;
      else await undefined;
      const elapsed = performance.now() - start;
      if (pass >= 0) times[name]![pass] = elapsed;
    }
  }
  const medians: Record<string, number> = {};
  for (const name of names) {
    const sorted = Array.from(times[name]!).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    medians[name] = (median / ops) * 1e6;
  }
  return medians;
}
