/**
 * Issue #18.4: what automatic dependency tracking between composed caches would cost. It needs
 * AsyncLocalStorage: each miss runs its computation inside `als.run(entry, …)` and every call
 * of a cached function (hits included) reads `als.getStore()` to link itself to the computation
 * calling it. Measured here against the same work without it, on whichever Node runs this
 * (`npm run bench -- --node 24 async-context`):
 *
 * - a hit: `Map.get` on a freshly built 3-part key, then `await` of the cached promise (the
 *   hand-rolled memoiser the cache budget is measured against), with and without `getStore()`;
 * - any promise code in the process (an `await` chain), before and after an AsyncLocalStorage
 *   has been used: on Node 20 that installs promise hooks for every promise; Node 24's
 *   AsyncContextFrame does not.
 *
 * The cache budget allows a hit no slower than the hand memoiser (≤ 1.0×), so tracking fits
 * only where the hit with `getStore()` and the promise chain both stay within a few per cent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const FITS = 1.05;
const memo = new Map<string, Promise<number>>();
for (let i = 0; i < 1000; i++) memo.set(`room${i}\u0000user${i}\u0000state`, Promise.resolve(i));
let i = 0;

async function hit(): Promise<number> {
  const n = i++ % 1000;
  return (await memo.get(`room${n}\u0000user${n}\u0000state`))!;
}

const als = new AsyncLocalStorage<object>();
async function trackedHit(): Promise<number> {
  const n = i++ % 1000;
  const outer = als.getStore();
  const value = (await memo.get(`room${n}\u0000user${n}\u0000state`))!;
  return outer === undefined ? value : value + 0;
}

async function chain(): Promise<number> {
  let total = 0;
  for (let k = 0; k < 20; k++) total += await Promise.resolve(k);
  return total;
}

async function measure(name: string, fn: () => Promise<unknown>): Promise<number> {
  const bench = new Bench({ time: 400, warmup: true });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0]!.result as unknown as { latency?: { mean: number }; mean?: number };
  return r.latency?.mean ?? r.mean ?? NaN;
}

/** µs per 20-await chain, in a fresh process that has used AsyncLocalStorage or not. */
function chainInChild(useAls: boolean): number {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), 'chain', useAls ? 'als' : 'plain'],
    {
      encoding: 'utf8',
    },
  );
  return Number(out.trim());
}

if (process.argv[2] === 'chain') {
  if (process.argv[3] === 'als') await als.run({}, async () => await Promise.resolve());
  process.stdout.write(`${await measure('await chain', chain)}\n`);
  process.exit(0);
}

const rounds = 5;
const ratios = { hit: [] as number[], chain: [] as number[] };
for (let r = 0; r < rounds; r++) {
  // Interleaved, order alternating: the machine's drift hits both alike.
  const first = chainInChild(r % 2 === 0);
  const second = chainInChild(r % 2 !== 0);
  ratios.chain.push(r % 2 === 0 ? first / second : second / first);
  const plain = await measure('hit', hit);
  const tracked = await measure('hit + getStore', trackedHit);
  ratios.hit.push(tracked / plain);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const hitRatio = median(ratios.hit);
const chainRatio = median(ratios.chain);
console.log(
  `Node ${process.version}: cache hit with getStore() ${hitRatio.toFixed(2)}× a plain hit; ` +
    `a 20-await chain in a process that used AsyncLocalStorage ${chainRatio.toFixed(2)}× one that did not ` +
    `→ automatic tracking ${hitRatio <= FITS && chainRatio <= FITS ? 'fits' : 'does not fit'} ` +
    `the cache budget (both ≤ ${FITS}×) (information, no budget)`,
);
