/**
 * The long-path line of bench/routing.bench.ts (the hardening issue's CPU amplification case):
 * a 404 for a 14 KB path of 7,000 segments against a 404 for a short path, both through a real
 * socket to a full host with 1,000 routes of each kind, in its own process. The figure is the
 * server's CPU time per request (steadier than latency on a shared machine), median of
 * interleaved rounds. Budget ≤ 3×. The same two requests against a bare `node:http` server that
 * answers 404 to everything are printed beside it: what reading and parsing a 14 KB request line
 * costs before any routing. Env: ROUTING_BENCH_LONG_ROUNDS (default 5),
 * ROUTING_BENCH_LONG_SECONDS per run (default 1).
 */
import autocannon from 'autocannon';
import { median, printRatio } from '../cache/report.js';
import { type Child, cpuOf, startChild } from '../http/child.js';

const ROUNDS = Number(process.env.ROUTING_BENCH_LONG_ROUNDS ?? 5);
const SECONDS = Number(process.env.ROUTING_BENCH_LONG_SECONDS ?? 1);

const LONG = '/_synapse/client/m1/rooms' + '/a'.repeat(7000);
const SHORT = '/_synapse/client/m1/nothing';

/** Server CPU µs per request for `target`. */
async function load(child: Child, url: string, target: string, seconds: number) {
  const before = await cpuOf(child);
  const result = await autocannon({ url: url + target, connections: 10, duration: seconds });
  const after = await cpuOf(child);
  if (result.errors > 0 || result['4xx'] !== result.requests.total)
    throw new Error(`${target.length}-char path: expected only 404s (${result.errors} errors)`);
  return (after - before) / Math.max(1, result.requests.total);
}

/** Median CPU µs per request of the long and the short path, and of their per-round ratio. */
async function compare(script: string) {
  const child = await startChild(script, script);
  const url = child.url.replace(/\/$/, '');
  try {
    await load(child, url, LONG, 0.5);
    await load(child, url, SHORT, 0.5);
    const long: number[] = [];
    const short: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2) short.push(await load(child, url, SHORT, SECONDS));
      long.push(await load(child, url, LONG, SECONDS));
      if (round % 2 === 0) short.push(await load(child, url, SHORT, SECONDS));
    }
    return {
      long: median(long),
      short: median(short),
      ratio: median(long.map((v, i) => v / short[i]!)),
    };
  } finally {
    child.process.kill('SIGTERM');
  }
}

export async function measureLongPath(): Promise<void> {
  const ours = await compare('../routing/server.js');
  const raw = await compare('raw-server.js');
  printRatio(
    'routing: 404 for a 14 KB path of 7,000 segments vs a short 404 (server CPU/request)',
    ours.ratio,
    3.0,
    `${ours.long.toFixed(1)} µs vs ${ours.short.toFixed(1)} µs; bare node:http 404s: ` +
      `${raw.long.toFixed(1)} µs vs ${raw.short.toFixed(1)} µs (${raw.ratio.toFixed(2)}x)`,
  );
}
