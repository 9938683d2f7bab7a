/**
 * The longest event-loop block while some sliced work runs, split into GC and the rest, measured
 * so that a loaded machine does not count against the work.
 *
 * A setImmediate ping loop records every gap between its turns. On a shared machine a gap's wall
 * time also holds time the OS ran other processes, and the process's CPU time also holds its GC
 * and compiler helper threads. So each gap counts as the smaller of
 *  - wall time minus the main thread's run-queue wait (Linux: `run_delay` in
 *    /proc/self/task/<pid>/schedstat, exact at each switch-in; 0 elsewhere), and
 *  - the process's CPU time,
 * both upper bounds of the main thread's own time in the gap. GC pauses (perf_hooks `gc` entries,
 * the main thread's pause) overlapping a gap are reported as that gap's GC part; the remainder is
 * the work itself. Gaps are kept in preallocated typed arrays so the measurement allocates next to
 * nothing between turns (its own garbage would otherwise show up as GC in the figure).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

export interface Block {
  wall: number;
  /** Run-queue wait of the main thread in the gap (0 where /proc is missing). */
  wait: number;
  cpu: number;
  /** Main-thread GC pause time overlapping the gap. */
  gc: number;
  /** min(wall - wait, cpu): the main thread's time in the gap, at most. */
  main: number;
}

export interface Run {
  longest: Block;
  gaps: number;
  /** GC pauses during the whole run: count and total ms. */
  gcCount: number;
  gcTotal: number;
}

const MAX_GAPS = 1 << 16;

/** Reads the main thread's run-queue wait (ns) from schedstat, or 0 when unavailable. */
class RunQueueWait {
  private readonly fd: number | undefined;
  private readonly buffer = Buffer.alloc(96);

  constructor() {
    try {
      this.fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
    } catch {
      this.fd = undefined;
    }
  }

  /** Nanoseconds; parsed from bytes so a read makes no string. */
  ns(): number {
    if (this.fd === undefined) return 0;
    const buffer = this.buffer;
    const n = readSync(this.fd, buffer, 0, buffer.length, 0);
    let i = 0;
    while (i < n && buffer[i] !== 32) i++;
    let value = 0;
    for (i++; i < n; i++) {
      const c = buffer[i]!;
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
    }
    return value;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** Runs `start` (synchronously, inside the first gap) and pings until `done()`. */
export async function measureBlocks(start: () => void, done: () => boolean): Promise<Run> {
  const from = new Float64Array(MAX_GAPS);
  const to = new Float64Array(MAX_GAPS);
  const wait = new Float64Array(MAX_GAPS);
  const cpu = new Float64Array(MAX_GAPS);
  const gcStart: number[] = [];
  const gcEnd: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcStart.push(e.startTime);
      gcEnd.push(e.startTime + e.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const runQueue = new RunQueueWait();
  let gaps = 0;
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      let lastWall = performance.now();
      let lastWait = runQueue.ns();
      let lastCpu = process.cpuUsage();
      start();
      const ping = (): void => {
        const now = performance.now();
        const waited = runQueue.ns();
        const used = process.cpuUsage(lastCpu);
        if (gaps < MAX_GAPS) {
          from[gaps] = lastWall;
          to[gaps] = now;
          wait[gaps] = (waited - lastWait) / 1e6;
          cpu[gaps] = (used.user + used.system) / 1000;
          gaps++;
        }
        lastWall = now;
        lastWait = waited;
        lastCpu = process.cpuUsage();
        if (done()) resolve();
        else setImmediate(ping);
      };
      setImmediate(ping);
    });
  });
  // GC entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  runQueue.close();
  let longest: Block = { wall: 0, wait: 0, cpu: 0, gc: 0, main: -1 };
  for (let i = 0; i < gaps; i++) {
    const wall = to[i]! - from[i]!;
    const main = Math.min(wall - wait[i]!, cpu[i]!);
    if (main <= longest.main) continue;
    let gc = 0;
    for (let g = 0; g < gcStart.length; g++)
      gc += Math.max(0, Math.min(gcEnd[g]!, to[i]!) - Math.max(gcStart[g]!, from[i]!));
    longest = { wall, wait: wait[i]!, cpu: cpu[i]!, gc: Math.min(gc, main), main };
  }
  let gcTotal = 0;
  for (let g = 0; g < gcStart.length; g++) gcTotal += gcEnd[g]! - gcStart[g]!;
  return { longest, gaps, gcCount: gcStart.length, gcTotal };
}

/**
 * The baseline: `slices` slices of `sliceMs` of allocation-free work, each yielding through
 * setImmediate as cache maintenance does. Whatever block it shows is the machine's, not the work's,
 * so it is printed beside the cache's figure as the floor this machine gives any sliced job.
 */
export function slicedBaseline(
  slices: number,
  sliceMs: number,
): {
  start: () => void;
  done: () => boolean;
} {
  const data = new Float64Array(1 << 20);
  let left = slices;
  let index = 0;
  let sum = 0;
  const slice = (): void => {
    const deadline = performance.now() + sliceMs;
    for (;;) {
      for (let i = 0; i < 256; i++) {
        index = (index + 7919) & (data.length - 1);
        sum += data[index]!;
      }
      if (performance.now() >= deadline) break;
    }
    data[0] = sum;
    if (--left > 0) setImmediate(slice);
  };
  return { start: slice, done: () => left <= 0 };
}
