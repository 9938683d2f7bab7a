/**
 * One side of the cache memory benchmark, run in a fresh process with --expose-gc: fills a cache
 * with ENTRIES entries and prints the heap growth in bytes as JSON. Keys and values are created
 * during the fill (as a server creates them), so both sides hold the same strings.
 * argv: <side: modhost | lru-cache> <shape: one | three> <entries>
 */
import { LRUCache } from 'lru-cache';
import { cachedFunction } from '../../src/cache/index.js';

const [side, shape, count] = process.argv.slice(2) as [string, string, string];
const N = Number(count);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const userOf = (i: number) => `@user${i}:example.org`;
const roomOf = (i: number) => `!room${i >> 2}:example.org`;
const kindOf = (i: number) => (i & 1 ? 'm.room.member' : 'm.room.name');
const valueOf = (i: number) => `department-${i}`;

async function fill(): Promise<unknown> {
  if (side === 'lru-cache') {
    const cache = new LRUCache<string, string>({ max: N });
    for (let i = 0; i < N; i++) {
      const key = shape === 'one' ? userOf(i) : `${roomOf(i)}\u0000${userOf(i)}\u0000${kindOf(i)}`;
      cache.set(key, valueOf(i));
    }
    return cache;
  }
  if (shape === 'one') {
    const f = cachedFunction(async (user: string) => valueOf(Number(user.slice(5, -12))), {
      maxEntries: N,
    });
    for (let i = 0; i < N; i++) await f(userOf(i));
    if (f.stats.entries !== N) throw new Error('not filled');
    return f;
  }
  const f = cachedFunction(
    async (room: string, user: string, _kind: string) => valueOf(Number(user.slice(5, -12))),
    { maxEntries: N, tree: true },
  );
  for (let i = 0; i < N; i++) await f(roomOf(i), userOf(i), kindOf(i));
  if (f.stats.entries !== N) throw new Error('not filled');
  return f;
}

gc();
gc();
const before = process.memoryUsage().heapUsed;
const kept = await fill();
gc();
gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(`${JSON.stringify({ bytes: after - before, kept: typeof kept })}\n`);
