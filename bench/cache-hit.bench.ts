/**
 * Cache hit benchmark (DESIGN.md budgets): a modhost cached function against
 *  - a hand-rolled `Map<args.join(sep), Promise>` memoiser (hits ≤ 1.0× its time),
 *  - an lru-cache memoiser (`LRUCache<args.join(sep), Promise>`; hits ≤ 1.0×, miss+insert ≤ 1.5×),
 *  - p-memoize and memoizee (hits: faster than both),
 * for 1 and 3 arguments, calls not awaited and awaited.
 *
 * The headline uses keys built afresh for every call, as they are when they come from a request:
 * each key string is decoded from bytes per call (a flat string nobody has hashed yet, as
 * JSON.parse or the HTTP parser produces), identically for every side. Reusing the same string
 * objects on every call flatters the Map-based sides (V8 caches a string's hash in the string), so
 * those figures are printed beside it, labelled. modhost's cache does more than the memoisers
 * (type-exact keys, strict LRU, prefix invalidation for tree caches, stats) and must still be no
 * slower. Miss+insert: each call has a key not in the cache, into caches bounded at 1,000
 * entries (so every insert also evicts), the computation an async function on both sides.
 *
 * A batch is CALLS operations over KEYS warm keys. In each round every subject runs PASSES batches,
 * interleaved batch by batch with the others in rotating order (cache/interleaved.ts), so all see
 * the same machine load; a subject's round figure is its median batch time, the ratio the median
 * of per-round ratios over ROUNDS rounds.
 * Env: CACHE_BENCH_ROUNDS (default 7), CACHE_BENCH_PASSES batches per subject per round (default 60).
 */
import { LRUCache } from 'lru-cache';
import memoizee from 'memoizee';
import pMemoize from 'p-memoize';
import { cachedFunction } from '../src/cache/index.js';
import { interleavedMedians } from './cache/interleaved.js';
import { median, printRatio } from './cache/report.js';

const ROUNDS = Number(process.env.CACHE_BENCH_ROUNDS ?? 7);
const PASSES = Number(process.env.CACHE_BENCH_PASSES ?? 60);
const WARMUP_PASSES = 5;
const KEYS = 1000;
const CALLS = 1000;
const SEP = '\u0000';

type Fn = (...args: string[]) => Promise<string>;
const compute: Fn = async (...args) => args.join('|');

function handRolled(fn: Fn): Fn {
  const map = new Map<string, Promise<string>>();
  return (...args) => {
    const key = args.join(SEP);
    let p = map.get(key);
    if (p === undefined) {
      p = fn(...args);
      map.set(key, p);
    }
    return p;
  };
}

function lruMemo(fn: Fn, max: number): Fn {
  const lru = new LRUCache<string, Promise<string>>({ max });
  return (...args) => {
    const key = args.join(SEP);
    let p = lru.get(key);
    if (p === undefined) {
      p = fn(...args);
      lru.set(key, p);
    }
    return p;
  };
}

/** Key parts of call i (3 parts, or the first one only). */
function parts(i: number): [string, string, string] {
  return [
    `@user${i % 97}:example.org`,
    `!room${i}:example.org`,
    i % 2 ? 'm.room.member' : 'm.room.name',
  ];
}

function subjectsFor(argc: 1 | 3, max: number): Record<string, Fn> {
  const length = argc;
  return {
    modhost: cachedFunction(compute, { maxEntries: max, numArgs: argc, tree: argc > 1 }),
    'hand-rolled memoiser': handRolled(compute),
    'lru-cache': lruMemo(compute, max),
    'p-memoize': pMemoize(compute, { cacheKey: (a: unknown[]) => a.join(SEP) }),
    memoizee: memoizee(compute, { promise: true, length, primitive: true, max }),
  };
}

let sink: unknown;

interface Figures {
  ratios: Record<string, number[]>;
  ns: Record<string, number[]>;
}

async function measure(
  subjects: Record<string, Fn>,
  task: (fn: Fn) => () => unknown,
): Promise<Figures> {
  const figures: Figures = { ratios: {}, ns: {} };
  const batches: Record<string, () => unknown> = {};
  for (const [name, fn] of Object.entries(subjects)) batches[name] = task(fn);
  for (let round = 0; round < ROUNDS; round++) {
    const ns = await interleavedMedians(batches, CALLS, PASSES, WARMUP_PASSES);
    for (const name of Object.keys(subjects)) {
      (figures.ns[name] ??= []).push(ns[name]!);
      (figures.ratios[name] ??= []).push(ns.modhost! / ns[name]!);
    }
  }
  return figures;
}

function report(title: string, figures: Figures, lines: Array<[string, number, boolean]>): void {
  const ns = (name: string) => `${median(figures.ns[name]!).toFixed(1)} ns`;
  for (const [baseline, budget, strict] of lines)
    printRatio(
      `${title} vs ${baseline}`,
      median(figures.ratios[baseline]!),
      budget,
      `${ns('modhost')} vs ${ns(baseline)}`,
      strict,
    );
}

const HIT_LINES: Array<[string, number, boolean]> = [
  ['hand-rolled memoiser', 1.0, false],
  ['lru-cache', 1.0, false],
  ['p-memoize', 1.0, true],
  ['memoizee', 1.0, true],
];

for (const argc of [1, 3] as const) {
  const subjects = subjectsFor(argc, 10 * KEYS);
  const keys = Array.from({ length: KEYS }, (_, i) => parts(i).slice(0, argc));
  // The same keys as bytes, decoded per call: fresh flat strings.
  const bytes = keys.map((k) => k.map((p) => Buffer.from(p, 'latin1')));
  for (const fn of Object.values(subjects)) for (const k of keys) await fn(...k);
  for (const k of keys.slice(0, 10)) {
    const expected = await compute(...k);
    for (const [name, fn] of Object.entries(subjects))
      if ((await fn(...k)) !== expected) throw new Error(`${name} answered wrongly`);
  }
  const fresh = (i: number): string[] => {
    const b = bytes[i % KEYS]!;
    return argc === 1
      ? [b[0]!.toString('latin1')]
      : [b[0]!.toString('latin1'), b[1]!.toString('latin1'), b[2]!.toString('latin1')];
  };
  const reused = (i: number): string[] => keys[i % KEYS]!;
  const call1 = (fn: Fn, k: string[]) => fn(k[0]!);
  const call3 = (fn: Fn, k: string[]) => fn(k[0]!, k[1]!, k[2]!);
  const call = argc === 1 ? call1 : call3;
  const calls = (key: (i: number) => string[]) => (fn: Fn) => () => {
    for (let i = 0; i < CALLS; i++) sink = call(fn, key(i));
  };
  const awaited = (key: (i: number) => string[]) => (fn: Fn) => async () => {
    for (let i = 0; i < CALLS; i++) sink = await call(fn, key(i));
  };
  const label = `${argc}-arg @Cached hit`;
  process.stdout.write(
    `\n${argc}-argument hits over ${KEYS} warm keys, median of ${ROUNDS} rounds\n`,
  );
  report(`${label}, fresh keys`, await measure(subjects, calls(fresh)), HIT_LINES);
  report(`${label}, fresh keys, awaited`, await measure(subjects, awaited(fresh)), HIT_LINES);
  const info: Array<[string, number, boolean]> = [
    ['hand-rolled memoiser', 1.0, false],
    ['lru-cache', 1.0, false],
  ];
  report(`${label}, reused key strings`, await measure(subjects, calls(reused)), info);

  // Miss + insert: a key never seen, into caches bounded at KEYS entries.
  const bounded = subjectsFor(argc, KEYS);
  const missSubjects = { modhost: bounded.modhost!, 'lru-cache': bounded['lru-cache']! };
  let serial = 0;
  const missKey = (): string[] => {
    const n = serial++;
    const k = [`@user${n}:example.org`, `!room${n % 1009}:example.org`, 'm.room.member'];
    return k.slice(0, argc).map((p) => Buffer.from(p, 'latin1').toString('latin1'));
  };
  const misses = (fn: Fn) => () => {
    for (let i = 0; i < CALLS; i++) sink = call(fn, missKey());
  };
  report(`${argc}-arg @Cached miss+insert`, await measure(missSubjects, misses), [
    ['lru-cache', 1.5, false],
  ]);
}
void sink;
process.exit(0);
