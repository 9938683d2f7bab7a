/**
 * HTTP benchmark: a module's GET resource (WebRegistry + WebServer) against a raw `node:http`
 * server sending the same JSON body. Each server runs in its own process; autocannon loads them
 * in short interleaved rounds (order alternating) so drift on a busy machine hits both alike;
 * the figure is the median of the per-round requests/s ratios. Budget: ≥ 0.90× raw.
 *
 * Three handler styles are measured: `jsonResponse` (modhost's helper, written without building an
 * undici Response) and `Response.json` with `installFastResponseJson()` (the same, through the
 * global) are budgeted; plain `Response.json` (undici builds a full Response with a stream; in
 * Node 20 that alone costs ~30 µs) is reported for information.
 * CPU time per request of each server is printed too: it is much less sensitive to other load on
 * the machine than requests/s.
 *
 * Env: HTTP_BENCH_ROUNDS (default 8), HTTP_BENCH_SECONDS per run (default 2),
 * HTTP_BENCH_CONNECTIONS (default 50).
 */
import autocannon from 'autocannon';
import { BENCH_PATH } from './http/body.js';
import { type Child, cpuOf, startChild } from './http/child.js';

const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 8);
const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 50);
const BUDGET = 0.9;

interface Run {
  /** requests/s */
  rate: number;
  /** CPU µs the server spent per request */
  cpuPerRequest: number;
}

async function load(child: Child, seconds: number): Promise<Run> {
  const before = await cpuOf(child);
  const result = await autocannon({
    url: `${child.url}${BENCH_PATH}`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const after = await cpuOf(child);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${child.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return {
    rate: result.requests.average,
    cpuPerRequest: (after - before) / Math.max(1, result.requests.total),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function compare(raw: Child, subject: Child, rounds: number, budgeted: boolean) {
  await load(raw, 1); // warm-up (JIT, sockets)
  await load(subject, 1);
  const ratios: number[] = [];
  const runs = { raw: [] as Run[], subject: [] as Run[] };
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? raw : subject;
    const second = first === raw ? subject : raw;
    const a = await load(first, SECONDS);
    const b = await load(second, SECONDS);
    const rawRun = first === raw ? a : b;
    const subjectRun = first === raw ? b : a;
    runs.raw.push(rawRun);
    runs.subject.push(subjectRun);
    ratios.push(subjectRun.rate / rawRun.rate);
  }
  const ratio = median(ratios);
  const rate = (r: Run[]) => Math.round(median(r.map((x) => x.rate))).toLocaleString('en-US');
  const cpu = (r: Run[]) => median(r.map((x) => x.cpuPerRequest));
  const verdict = budgeted
    ? `budget ≥ ${BUDGET.toFixed(2)}× ${ratio >= BUDGET ? 'PASS' : 'FAIL'}`
    : '(information, no budget)';
  console.log(
    `${subject.name}: ${rate(runs.subject)} req/s vs raw node:http ${rate(runs.raw)} req/s → ` +
      `${ratio.toFixed(3)}× ${verdict}\n` +
      `  rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')}\n` +
      `  server CPU per request: ${cpu(runs.subject).toFixed(1)} µs vs raw ${cpu(runs.raw).toFixed(1)} µs` +
      ` → raw/module ${(cpu(runs.raw) / cpu(runs.subject)).toFixed(3)}×`,
  );
}

const children: Child[] = [];
try {
  const raw = await startChild('raw node:http', 'raw-server.js');
  children.push(raw);
  const variants = [
    { arg: 'json-helper', name: 'module GET (jsonResponse)', rounds: ROUNDS, budgeted: true },
    {
      arg: 'response-json-fast',
      name: 'module GET (Response.json, installFastResponseJson)',
      rounds: ROUNDS,
      budgeted: true,
    },
    {
      arg: 'response-json',
      name: 'module GET (Response.json)',
      rounds: Math.max(1, Math.ceil(ROUNDS / 2)),
      budgeted: false,
    },
  ];
  for (const variant of variants) {
    const subject = await startChild(variant.name, 'module-server.js', [variant.arg]);
    children.push(subject);
    await compare(raw, subject, variant.rounds, variant.budgeted);
    subject.process.kill('SIGTERM');
  }
} finally {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGTERM');
}
