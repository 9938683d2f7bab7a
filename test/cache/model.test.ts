/**
 * Model-based check of the key tree (with path compression) and the LRU: random operations on a
 * cached function and on a plain reference model must agree. Seeded, so runs are repeatable.
 */
import { expect } from 'chai';
import { cachedFunction } from '../../src/cache/index.js';
import { coreOf } from '../../src/cache/cached-function.js';

const PARTS: unknown[] = [1, '1', 0, -0, NaN, null, undefined, true, 'a', 'b', 2n];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const same = (a: unknown, b: unknown) => a === b || (a !== a && b !== b);
const sameKey = (a: unknown[], b: unknown[]) =>
  a.length === b.length && a.every((x, i) => same(x, b[i]));

/** Recency-ordered list of [key, value]: the front is evicted first. */
class Model {
  entries: Array<[unknown[], string]> = [];
  constructor(private readonly max: number) {}
  private index(key: unknown[]) {
    return this.entries.findIndex(([k]) => sameKey(k, key));
  }
  get(key: unknown[]): string | undefined {
    const i = this.index(key);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.push(e!);
    return e![1];
  }
  set(key: unknown[], value: string): void {
    const i = this.index(key);
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.push([key, value]);
    if (this.entries.length > this.max) this.entries.shift();
  }
  invalidatePrefix(prefix: unknown[]): void {
    this.entries = this.entries.filter(([k]) => !sameKey(k.slice(0, prefix.length), prefix));
  }
}

const label = (parts: unknown[]) => parts.map((p) => `${typeof p}:${String(p)}`).join(',');

for (const depth of [2, 3, 4]) {
  for (const seed of [1, 2, 3]) {
    it(`agrees with a reference model (${depth} key parts, seed ${seed})`, async () => {
      const random = rng(seed * 7919 + depth);
      const pick = () => PARTS[Math.floor(random() * PARTS.length)];
      const max = 25;
      const f = cachedFunction(async (...parts: unknown[]) => `computed ${label(parts)}`, {
        numArgs: depth,
        maxEntries: max,
        tree: true,
      });
      const model = new Model(max);
      for (let step = 0; step < 3000; step++) {
        const key = Array.from({ length: depth }, pick);
        const op = random();
        if (op < 0.45) {
          const expected = model.get(key) ?? `computed ${label(key)}`;
          if (model.get(key) === undefined) model.set(key, expected);
          expect(await f(...key), `step ${step} read ${label(key)}`).to.equal(expected);
        } else if (op < 0.75) {
          const value = `prefilled ${step}`;
          f.prefill(key, value);
          model.set(key, value);
        } else if (op < 0.9) {
          f.invalidate(key);
          model.invalidatePrefix(key);
        } else {
          const prefix = key.slice(0, 1 + Math.floor(random() * (depth - 1)));
          f.invalidate(prefix);
          model.invalidatePrefix(prefix);
        }
        expect(f.stats.entries, `step ${step} size`).to.equal(model.entries.length);
      }
      // Every entry the model holds is in the cache (peeked without changing recency).
      const core = coreOf(f)!;
      for (const [key, value] of model.entries) expect(core.lookup(key)?.result).to.equal(value);
    });
  }
}
