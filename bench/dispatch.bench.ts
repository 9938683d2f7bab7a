/**
 * Callback dispatch benchmark (DESIGN.md budgets), measured against baselines in the same run:
 *  - `run` to 5 async callbacks vs a hand-written `for … of` + `await` loop over the same five
 *    functions (budget ≤ 1.10×), with metrics on (the registry always counts);
 *  - `run` with nothing registered vs `await` of an already resolved value (budget ≤ 2×).
 * Also shown, for information: the same 5-callback run with a `callback_timeout` configured
 * (every call then carries a deadline; no timer per call, no race per call: see timed-run.ts),
 * and with a mutable event, which `check_event_for_spam` copies and freezes once per run (its
 * argument rule is `frozen`); the budget lines pass a frozen event to both sides.
 *
 * Each tinybench iteration performs CALLS operations, so the harness's own cost is amortised.
 * Tasks run in many short interleaved rounds with alternating order, and each figure is the
 * median of the per-round ratios: on a loaded machine, load changes between rounds cancel out
 * within a round. Env: DISPATCH_BENCH_ROUNDS (default 41), DISPATCH_BENCH_MS (default 40).
 */
import { Bench } from 'tinybench';
import { CallbackRegistry } from '../src/callbacks/registry.js';
import { NOT_SPAM, synapseCategories } from '../src/categories/synapse/index.js';
import { freezeDeep } from '../src/callbacks/arguments.js';
import { createLogger } from '../src/logging/logger.js';
import { createMetricsRegistry } from '../src/metrics/registry.js';

const ROUNDS = Number(process.env.DISPATCH_BENCH_ROUNDS ?? 41);
const TIME = Number(process.env.DISPATCH_BENCH_MS ?? 40);
const CALLS = 100;

// Events are immutable, as Synapse's: a host that freezes them (freezeDeep) hands them to
// modules as they are. A mutable event is copied and frozen once per run (shown for information).
const mutableEvent = {
  type: 'm.room.message',
  sender: '@alice:example.org',
  room_id: '!room:example.org',
  content: { body: 'hello' },
};
const event = freezeDeep(structuredClone(mutableEvent));
type Check = (e: typeof event) => Promise<string>;

// Five modules' callbacks: async, each reads the event (so none is optimised away).
const checks: Check[] = Array.from(
  { length: 5 },
  (_, i) => async (e) => (e.content.body.length > 1000 + i ? 'M_FORBIDDEN' : NOT_SPAM),
);

function makeRegistry(callbackTimeout?: number): CallbackRegistry {
  const registry = new CallbackRegistry({
    categories: synapseCategories,
    logger: createLogger({ level: 'silent', pretty: false }),
    metrics: createMetricsRegistry(),
    callbackTimeout,
  });
  checks.forEach((fn, index) =>
    registry.register({ name: `module${index}`, index }, 'spam_checker', {
      check_event_for_spam: fn,
    }),
  );
  registry.seal();
  return registry;
}

const withMetrics = makeRegistry();
const withTimeout = makeRegistry(5000);
const empty = new CallbackRegistry({
  categories: synapseCategories,
  logger: createLogger({ level: 'silent', pretty: false }),
  metrics: createMetricsRegistry(),
});
empty.seal();

/** The baseline: what a host would write by hand for a first-decisive spam check. */
async function handWritten(e: typeof event): Promise<unknown> {
  for (const check of checks) {
    const result = await check(e);
    if (result !== NOT_SPAM) return result;
  }
  return NOT_SPAM;
}

const resolved = Promise.resolve(NOT_SPAM);

const tasks: Record<string, () => Promise<void>> = {
  'hand-written loop': async () => {
    for (let i = 0; i < CALLS; i++) await handWritten(event);
  },
  'run, 5 callbacks': async () => {
    for (let i = 0; i < CALLS; i++)
      await withMetrics.run('spam_checker', 'check_event_for_spam', event);
  },
  'run, 5 callbacks, mutable event': async () => {
    for (let i = 0; i < CALLS; i++)
      await withMetrics.run('spam_checker', 'check_event_for_spam', mutableEvent);
  },
  'run, 5 callbacks, callback_timeout set': async () => {
    for (let i = 0; i < CALLS; i++)
      await withTimeout.run('spam_checker', 'check_event_for_spam', event);
  },
  'await resolved value': async () => {
    for (let i = 0; i < CALLS; i++) await resolved;
  },
  'run, nothing registered': async () => {
    for (let i = 0; i < CALLS; i++) await empty.run('spam_checker', 'check_event_for_spam', event);
  },
};

// Same answers on every side before timing anything.
for (const [name, answer] of [
  ['hand-written', await handWritten(event)],
  ['run', await withMetrics.run('spam_checker', 'check_event_for_spam', event)],
  ['run with timeout', await withTimeout.run('spam_checker', 'check_event_for_spam', event)],
  ['empty run', await empty.run('spam_checker', 'check_event_for_spam', event)],
] as const) {
  if (answer !== NOT_SPAM) throw new Error(`${name} answered ${String(answer)}, expected NOT_SPAM`);
}

const names = Object.keys(tasks);
const perRound: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME, warmup: round === 0, warmupTime: 200 });
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const name of order) bench.add(name, tasks[name]!);
  await bench.run();
  for (const task of bench.tasks) {
    const latency = (task.result as { latency?: { mean: number } } | undefined)?.latency?.mean;
    if (latency === undefined) throw new Error(`task ${task.name} produced no result`);
    perRound[task.name]!.push(latency / CALLS);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function ratio(subject: string, baseline: string): number {
  return median(perRound[subject]!.map((v, i) => v / perRound[baseline]![i]!));
}

const ns = (name: string) => `${(median(perRound[name]!) * 1e6).toFixed(0)} ns`;

function report(subject: string, baseline: string, budget?: number): void {
  const r = ratio(subject, baseline);
  const verdict = budget === undefined ? 'info' : r <= budget ? 'PASS' : 'FAIL';
  const limit = budget === undefined ? 'no budget' : `budget ≤ ${budget.toFixed(2)}×`;
  console.log(
    `dispatch: ${subject} vs ${baseline}: ${r.toFixed(3)}× (${ns(subject)} vs ${ns(baseline)}; ${limit}) ${verdict}`,
  );
}

report('run, 5 callbacks', 'hand-written loop', 1.1);
report('run, nothing registered', 'await resolved value', 2);
report('run, 5 callbacks, mutable event', 'hand-written loop');
report('run, 5 callbacks, callback_timeout set', 'hand-written loop');
