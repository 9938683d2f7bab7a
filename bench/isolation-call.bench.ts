/**
 * A callback into an `isolation: worker` module vs a bare MessagePort round trip of the same
 * payload (DESIGN.md budget ≤ 1.5×). The baseline posts the event to a worker that answers
 * with the verdict; the subject is `host.callbacks.run('spam_checker', 'check_event_for_spam',
 * event)` with the module in its worker: the whole path (registry, proxy, crossing check,
 * protocol ids, worker dispatch). Sequential calls, many short interleaved rounds in alternating
 * order; the figure is the median of per-round ratios.
 *
 * Placement. On a VM, a sequential exchange between two threads costs what the scheduler's
 * placement of them costs: on one vCPU a wake-up is a local switch (~10 µs a round trip), on two
 * it is an IPI to a halted vCPU (~85 µs), and strace shows the same system calls either way, for
 * the baseline and for modhost alike. Left alone, the scheduler puts the baseline's pair and
 * modhost's pair where it likes, and the ratio mostly measures that lottery. So the budgeted
 * lines pin the threads (`taskset -pc`), the same placement for both sides: all three on one
 * CPU, then the main thread on one and both workers on another; the unpinned figure is printed
 * too, as information. Env: ISOLATION_BENCH_ROUNDS (default 31), ISOLATION_BENCH_CALLS (default
 * 500), ISOLATION_CALL_POLLING (the module entry's `call_polling`, µs; default the entry's).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
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

/** This process's thread ids, for pinning the threads a step starts. */
const tasks = () => new Set(readdirSync('/proc/self/task').map(Number));
const before = tasks();
const echo = new Worker(new URL('./isolation/echo-worker.js', import.meta.url));
await new Promise((resolve) => echo.once('online', resolve));
const echoThreads = [...tasks()].filter((t) => !before.has(t));
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
const beforeHost = tasks();
await host.start();
const moduleThreads = [...tasks()].filter((t) => !beforeHost.has(t));
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

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

async function rounds(label: string, budgeted: boolean): Promise<void> {
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
  const ratio = median(ratios);
  const verdict = budgeted ? (ratio <= 1.5 ? 'OK' : 'OVER BUDGET') : 'info';
  process.stdout.write(
    `callback into an isolated module, ${label}: ${us(median(isoTimes))} per call; bare MessagePort round trip: ${us(median(bareTimes))}\n` +
      `  ratio ${ratio.toFixed(2)}× (budget ≤ 1.5×) ${verdict}  [median of ${ROUNDS} interleaved rounds of ${CALLS} calls]\n`,
  );
}

/** Pins `threads` to the CPU list `cpus` ("0", "0,1"); the V8 helper threads stay where they are. */
const pin = (cpus: string, threads: number[]) => {
  for (const t of threads) execFileSync('taskset', ['-pc', cpus, String(t)], { stdio: 'ignore' });
};
const all = os
  .cpus()
  .map((_, i) => i)
  .join(',');
const workers = [...echoThreads, ...moduleThreads];

await rounds('threads where the scheduler puts them', false);
pin('0', [process.pid, ...workers]);
await rounds('main and both workers on one CPU', true);
if (os.cpus().length > 1) {
  pin('1', workers);
  await rounds('main on one CPU, both workers on another', true);
}
pin(all, [process.pid, ...workers]);
await host.stop();
await echo.terminate();
