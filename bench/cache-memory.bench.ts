/**
 * Cache memory benchmark: heap used by 100k entries in a modhost cache against lru-cache holding
 * the same keys and values (budget <= 1.3x). Each side fills in its own fresh process with
 * --expose-gc; the figure is the median over ROUNDS pairs. Keys and values are created during
 * the fill on both sides, so the figure is the whole cost of caching them.
 * Shapes: one string key argument, and three key arguments in a tree cache (lru-cache gets the
 * joined key string); the budget applies to both.
 * Env: CACHE_MEMORY_ROUNDS (default 3), CACHE_MEMORY_ENTRIES (default 100000).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printRatio } from './cache/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.CACHE_MEMORY_ROUNDS ?? 3);
const ENTRIES = Number(process.env.CACHE_MEMORY_ENTRIES ?? 100_000);

function measure(side: string, shape: string): number {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', path.join(here, 'cache', 'memory-child.js'), side, shape, String(ENTRIES)],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`${side} ${shape} failed: ${child.stderr}`);
  return (JSON.parse(child.stdout.trim()) as { bytes: number }).bytes;
}

function compare(shape: string): { ratio: number; ours: number; theirs: number } {
  const ratios: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const m = measure('modhost', shape);
    const l = measure('lru-cache', shape);
    ours.push(m);
    theirs.push(l);
    ratios.push(m / l);
  }
  return { ratio: median(ratios), ours: median(ours), theirs: median(theirs) };
}

const perEntry = (bytes: number) => `${(bytes / ENTRIES).toFixed(0)} B/entry`;
process.stdout.write(`${ENTRIES} entries, each side in a fresh process, median of ${ROUNDS}\n`);
const one = compare('one');
printRatio(
  'heap of cached entries vs lru-cache (1 key argument)',
  one.ratio,
  1.3,
  `${perEntry(one.ours)} vs ${perEntry(one.theirs)}`,
);
const three = compare('three');
printRatio(
  'heap of cached entries vs lru-cache (3 key arguments, tree)',
  three.ratio,
  1.3,
  `${perEntry(three.ours)} vs ${perEntry(three.theirs)}; lru-cache keyed by the joined string`,
);
process.exit(0);
