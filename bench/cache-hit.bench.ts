/**
 * Cache hit benchmark: a 3-argument hit of a modhost cached function against
 *  - a hand-rolled `Map<args.join(sep), Promise>` memoiser (budget <= 1.0x the memoiser's time),
 *  - p-memoize and memoizee (budget: faster than both, i.e. < 1.0x their time).
 * modhost's cache does more than the memoiser (type-exact keys, strict LRU, prefix invalidation,
 * stats) and must still be no slower.
 *
 * Each tinybench iteration performs CALLS hits over KEYS warm keys (the calls return settled
 * promises; awaiting each would only add the same await cost to both sides). Tasks run in
 * interleaved rounds with alternating order; the figure is the median of per-round ratios.
 * Env: CACHE_BENCH_ROUNDS (default 7), CACHE_BENCH_MS per task per round (default 300).
 */
import memoizee from 'memoizee';
import pMemoize from 'p-memoize';
import { Bench } from 'tinybench';
import { cachedFunction } from '../src/cache/index.js';
import { median, printRatio } from './cache/report.js';

const ROUNDS = Number(process.env.CACHE_BENCH_ROUNDS ?? 7);
const TIME = Number(process.env.CACHE_BENCH_MS ?? 300);
const KEYS = 1000;
const CALLS = 1000;

type Fn3 = (a: string, b: string, c: string) => Promise<string>;

const compute: Fn3 = async (a, b, c) => `${a}|${b}|${c}`;

function handRolled(fn: Fn3): Fn3 {
  const map = new Map<string, Promise<string>>();
  return (...args) => {
    const key = args.join('\u0000');
    let p = map.get(key);
    if (p === undefined) {
      p = fn(...args);
      map.set(key, p);
    }
    return p;
  };
}

const args: Array<[string, string, string]> = [];
for (let i = 0; i < KEYS; i++) {
  args.push([
    `@user${i % 97}:example.org`,
    `!room${i}:example.org`,
    i % 2 ? 'm.room.member' : 'm.room.name',
  ]);
}

const subjects: Record<string, Fn3> = {
  modhost: cachedFunction(compute, { maxEntries: 10 * KEYS, tree: true }),
  'hand-rolled memoiser': handRolled(compute),
  'p-memoize': pMemoize(compute, { cacheKey: (a: unknown[]) => a.join('\u0000') }),
  memoizee: memoizee(compute, { promise: true, length: 3, primitive: true, max: 10 * KEYS }),
};

// Warm every key on every side, and check they answer the same.
for (const fn of Object.values(subjects)) for (const [a, b, c] of args) await fn(a, b, c);
for (const [a, b, c] of args.slice(0, 10)) {
  const expected = await compute(a, b, c);
  for (const [name, fn] of Object.entries(subjects)) {
    if ((await fn(a, b, c)) !== expected) throw new Error(`${name} answered wrongly`);
  }
}

let sink: unknown;
/** CALLS hits, promises not awaited: the cost of the lookup itself. */
function hits(fn: Fn3): () => void {
  return () => {
    for (let i = 0; i < CALLS; i++) {
      const k = args[i % KEYS]!;
      sink = fn(k[0], k[1], k[2]);
    }
  };
}
/** CALLS hits, each awaited, as a caller does (the await costs the same on every side). */
function awaitedHits(fn: Fn3): () => Promise<void> {
  return async () => {
    for (let i = 0; i < CALLS; i++) {
      const k = args[i % KEYS]!;
      sink = await fn(k[0], k[1], k[2]);
    }
  };
}

interface Figures {
  ratios: Record<string, number[]>;
  nsPerCall: Record<string, number[]>;
}

async function measure(task: (fn: Fn3) => () => unknown): Promise<Figures> {
  const figures: Figures = { ratios: {}, nsPerCall: {} };
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME, warmupTime: 50 });
    const names = Object.keys(subjects);
    if (round % 2) names.reverse();
    for (const name of names) bench.add(name, task(subjects[name]!));
    await bench.run();
    const mean = (name: string): number => {
      const r = bench.getTask(name)!.result;
      if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
      return r.latency.mean;
    };
    for (const name of names) {
      (figures.nsPerCall[name] ??= []).push((mean(name) / CALLS) * 1e6);
      (figures.ratios[name] ??= []).push(mean('modhost') / mean(name));
    }
  }
  return figures;
}

function report(title: string, figures: Figures): void {
  const ns = (name: string): string => `${median(figures.nsPerCall[name]!).toFixed(1)} ns/hit`;
  const line = (label: string, baseline: string, budget: number, strict = false) =>
    printRatio(
      label,
      median(figures.ratios[baseline]!),
      budget,
      `${ns('modhost')} vs ${ns(baseline)}`,
      strict,
    );
  process.stdout.write(`${title}\n`);
  line('@Cached hit vs hand-rolled Map<join, Promise> memoiser', 'hand-rolled memoiser', 1.0);
  // "Faster than": strictly below 1.0x.
  line('@Cached hit vs p-memoize', 'p-memoize', 1.0, true);
  line('@Cached hit vs memoizee (promise, primitive mode)', 'memoizee', 1.0, true);
}

process.stdout.write(
  `3-argument hits over ${KEYS} warm keys, median of ${ROUNDS} interleaved rounds\n`,
);
report('calls (promises not awaited):', await measure(hits));
report('awaited calls:', await measure(awaitedHits));
void sink;
process.exit(0);
