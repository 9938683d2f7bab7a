/**
 * A callback into an `isolation: worker` module vs a bare MessagePort round trip of the same
 * payload (DESIGN.md budget ≤ 1.5×). The baseline posts the event to a worker that answers
 * with the verdict; the subject is `host.callbacks.run('spam_checker', 'check_event_for_spam',
 * event)` with the module in its worker: the whole path (registry, proxy, crossing check,
 * protocol ids, worker dispatch). Sequential calls, many short interleaved rounds in alternating
 * order; the figure is the median of per-round ratios. Env: ISOLATION_BENCH_ROUNDS (default
 * 31), ISOLATION_BENCH_CALLS (default 500), ISOLATION_CALL_POLLING (the module entry's
 * `call_polling`, µs; default the entry's default).
 */
import 'reflect-metadata';
import { Worker } from 'node:worker_threads';
import { ModuleHost } from '../src/host/module-host.js';
import { createLogger } from '../src/logging/logger.js';
import { BENCH_MODULE } from './isolation/bench-module.js';

const ROUNDS = Number(process.env.ISOLATION_BENCH_ROUNDS ?? 31);
const CALLS = Number(process.env.ISOLATION_BENCH_CALLS ?? 500);
const POLLING = process.env.ISOLATION_CALL_POLLING;
const event = {
  type: 'm.room.message',
  sender: '@alice:example.org',
  room_id: '!room:example.org',
  content: { body: 'hello' },
};

const echo = new Worker(new URL('./isolation/echo-worker.js', import.meta.url));
let answer: ((v: unknown) => void) | undefined;
echo.on('message', (v) => answer!(v));
const bare = () =>
  new Promise((resolve) => {
    answer = resolve;
    echo.postMessage(event);
  });

const host = await ModuleHost.create({
  modules: [
    {
      module: BENCH_MODULE,
      isolation: 'worker',
      ...(POLLING !== undefined ? { call_polling: Number(POLLING) } : {}),
    },
  ],
  server: { listen: false },
  logger: createLogger({ level: 'warn', pretty: false }),
});
await host.start();
const isolated = () => host.callbacks.run('spam_checker', 'check_event_for_spam', event);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) await fn();
  return (performance.now() - start) / CALLS;
}

if ((await isolated()) !== 'NOT_SPAM' || (await bare()) !== 'NOT_SPAM')
  throw new Error('the two sides disagree');
// Warm up both paths (JIT, the worker's first calls).
for (let i = 0; i < 3; i++) {
  await time(bare);
  await time(isolated);
}

const ratios: number[] = [];
const bareTimes: number[] = [];
const isoTimes: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  let b: number;
  let s: number;
  if (r % 2 === 0) {
    b = await time(bare);
    s = await time(isolated);
  } else {
    s = await time(isolated);
    b = await time(bare);
  }
  bareTimes.push(b);
  isoTimes.push(s);
  ratios.push(s / b);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const ratio = median(ratios);
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
process.stdout.write(
  `callback into an isolated module: ${us(median(isoTimes))} per call; bare MessagePort round trip: ${us(median(bareTimes))}\n` +
    `  ratio ${ratio.toFixed(2)}× (budget ≤ 1.5×) ${ratio <= 1.5 ? 'OK' : 'OVER BUDGET'}  [median of ${ROUNDS} interleaved rounds of ${CALLS} calls]\n`,
);
await host.stop();
await echo.terminate();
