/**
 * An isolated module's web resource vs the same resource in process (DESIGN.md budget ≥ 0.6×
 * requests/s). Both servers are full ModuleHosts with the same module (bench/isolation/server.ts),
 * each in its own process; autocannon loads them in short interleaved rounds, order alternating,
 * and the figure is the median of per-round ratios. Server CPU per request is printed too (the
 * isolated host's includes its worker thread).
 * Env: ISOLATION_HTTP_ROUNDS (default 6), ISOLATION_HTTP_SECONDS (default 2),
 * ISOLATION_HTTP_CONNECTIONS (default 50).
 */
import autocannon from 'autocannon';
import { median } from './cache/report.js';
import { BENCH_PATH } from './http/body.js';
import { type Child, cpuOf, startChild } from './http/child.js';

const ROUNDS = Number(process.env.ISOLATION_HTTP_ROUNDS ?? 6);
const SECONDS = Number(process.env.ISOLATION_HTTP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.ISOLATION_HTTP_CONNECTIONS ?? 50);
const BUDGET = 0.6;

type Server = Child;

function startServer(mode: 'in-process' | 'worker'): Promise<Server> {
  return startChild(mode, '../isolation/server.js', [mode]);
}

async function load(server: Server, seconds: number): Promise<{ rate: number; cpu: number }> {
  const before = await cpuOf(server);
  const result = await autocannon({
    url: `${server.url}${BENCH_PATH}`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const after = await cpuOf(server);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${server.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return {
    rate: result.requests.average,
    cpu: (after - before) / Math.max(1, result.requests.total),
  };
}

const servers: Server[] = [];
try {
  const inProcess = await startServer('in-process');
  servers.push(inProcess);
  const isolated = await startServer('worker');
  servers.push(isolated);
  await load(inProcess, 1);
  await load(isolated, 1);
  const ratios: number[] = [];
  const runs: Record<'inProcess' | 'isolated', { rate: number; cpu: number }[]> = {
    inProcess: [],
    isolated: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [inProcess, isolated] : [isolated, inProcess];
    const results = new Map<Server, { rate: number; cpu: number }>();
    for (const s of order) results.set(s, await load(s, SECONDS));
    runs.inProcess.push(results.get(inProcess)!);
    runs.isolated.push(results.get(isolated)!);
    ratios.push(results.get(isolated)!.rate / results.get(inProcess)!.rate);
  }
  const ratio = median(ratios);
  const rate = (r: { rate: number }[]) =>
    Math.round(median(r.map((x) => x.rate))).toLocaleString('en-US');
  const cpu = (r: { cpu: number }[]) => median(r.map((x) => x.cpu)).toFixed(1);
  console.log(
    `isolated module GET: ${rate(runs.isolated)} req/s vs in process ${rate(runs.inProcess)} req/s → ` +
      `${ratio.toFixed(3)}× budget ≥ ${BUDGET.toFixed(2)}× ${ratio >= BUDGET ? 'PASS' : 'FAIL'}\n` +
      `  rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')}\n` +
      `  server CPU per request: isolated ${cpu(runs.isolated)} µs vs in process ${cpu(runs.inProcess)} µs`,
  );
} finally {
  for (const s of servers) s.process.kill('SIGTERM');
}
