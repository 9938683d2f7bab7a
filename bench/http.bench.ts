/**
 * HTTP benchmark: one line per way a handler answers (bench/http/kinds.ts) and per body read,
 * each served by the bench module under `modhost serve`, in an embedded host
 * (`ModuleHost.create().start()`) and in `createTestHost({ listen: true })`, against a raw
 * `node:http` server and fastify sending the same bytes, with HTTP pipelining 1 and 10.
 *
 * Each server runs in its own process; autocannon loads them in short rounds, the order rotating
 * every round so drift on a busy machine hits all alike. Figures are medians over rounds:
 * requests/s as a ratio to raw measured in the same round, server CPU per request (from the
 * server's own `process.cpuUsage`, far steadier on a shared machine than requests/s), and p99
 * latency as a ratio to raw's.
 * Budgets (issue #14): responses ≥ 0.90× raw req/s, CPU/request ≤ fastify's, p99 ≤ 1.2× raw;
 * body reads ≥ 0.85× raw.
 *
 * Env: HTTP_BENCH_ROUNDS (default 3), HTTP_BENCH_SECONDS per run (default 1),
 * HTTP_BENCH_CONNECTIONS (default 50), HTTP_BENCH_PIPELINING (default "1,10"),
 * HTTP_BENCH_KINDS (only kinds whose name contains it), HTTP_BENCH_SUBJECTS (default
 * "serve,embedded,test-host"; add "no-fast-globals" for an embedded host opted out, unbudgeted).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './cache/report.js';
import { announced, type Child, cpuOf, startChild } from './http/child.js';
import { KINDS, UPLOAD_BODY, type Kind } from './http/kinds.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 1);
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 50);
const PIPELINING = (process.env.HTTP_BENCH_PIPELINING ?? '1,10').split(',').map(Number);
const KIND_FILTER = process.env.HTTP_BENCH_KINDS ?? '';
const SUBJECTS = (process.env.HTTP_BENCH_SUBJECTS ?? 'serve,embedded,test-host').split(',');
const RATE_BUDGET = 0.9;
const BODY_RATE_BUDGET = 0.85;
const P99_BUDGET = 1.2;

/** A server under load; only budgeted ones can fail the bench. */
interface Subject extends Child {
  budgeted: boolean;
}

interface Run {
  rate: number;
  cpu: number;
  p99: number;
}

async function startScript(name: string, script: string, args: string[], budgeted: boolean) {
  return { ...(await startChild(name, script, args)), budgeted };
}

/** `modhost serve` with a config naming the compiled bench module. */
async function startServe(dir: string): Promise<Subject> {
  const config = path.join(dir, 'bench.yaml');
  const module = path.join(here, 'http', 'kinds-module.js');
  writeFileSync(
    config,
    `server:\n  port: 0\ninstance:\n  name: bench\nlog_level: info\nmodules:\n  - module: ${JSON.stringify(`${module}#BenchKinds`)}\n`,
  );
  const cli = path.join(here, '..', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [cli, 'serve', '-c', config], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return {
    ...(await announced('modhost serve', child, /"url":"(http:\/\/[^"]+)"/)),
    budgeted: true,
  };
}

async function load(child: Subject, kind: Kind, pipelining: number, seconds: number): Promise<Run> {
  const before = await cpuOf(child);
  const latencies: number[] = [];
  // The promise autocannon returns is also its event emitter.
  const run = autocannon({
    url: `${child.url}${kind.path}`,
    method: kind.method,
    connections: CONNECTIONS,
    pipelining,
    duration: seconds,
    ...(kind.method === 'POST'
      ? { body: UPLOAD_BODY, headers: { 'content-type': 'application/json' } }
      : {}),
  }) as Promise<autocannon.Result> & NodeJS.EventEmitter;
  // autocannon's own percentiles are whole milliseconds (its histogram records integers), too
  // coarse at these latencies (2 ms vs 3 ms reads as 1.5×): keep each response's exact time.
  run.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
  });
  const result = await run;
  const after = await cpuOf(child);
  const bad = result.errors + result.non2xx - (kind.path.endsWith('/redirect') ? result.non2xx : 0);
  if (bad > 0 || result.requests.total === 0)
    throw new Error(
      `${child.name} ${kind.name}: ${result.non2xx} non-2xx, ${result.errors} errors`,
    );
  return {
    rate: result.requests.average,
    cpu: (after - before) / Math.max(1, result.requests.total),
    p99: percentile(latencies, 0.99),
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

let failures = 0;

async function line(children: Subject[], kind: Kind, pipelining: number): Promise<void> {
  const [raw, fastify] = children as [Subject, Subject];
  for (const child of children) await load(child, kind, pipelining, 0.5); // warm-up
  const runs = new Map<Subject, Run[]>(children.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = children.map((_, i) => children[(i + round) % children.length]!);
    for (const child of order) runs.get(child)!.push(await load(child, kind, pipelining, SECONDS));
  }
  const rawRuns = runs.get(raw)!;
  const cpu = (c: Subject) => median(runs.get(c)!.map((r) => r.cpu));
  const ratio = (c: Subject, f: (r: Run) => number) =>
    median(runs.get(c)!.map((r, i) => f(r) / Math.max(1e-9, f(rawRuns[i]!))));
  const body = kind.method === 'POST';
  const rateBudget = body ? BODY_RATE_BUDGET : RATE_BUDGET;
  const out: string[] = [
    `${kind.name} [pipelining ${pipelining}]`,
    `  raw node:http ${Math.round(median(rawRuns.map((r) => r.rate))).toLocaleString('en-US')} req/s, ` +
      `${cpu(raw).toFixed(1)} µs CPU/req, p99 ${median(rawRuns.map((r) => r.p99)).toFixed(2)} ms`,
    `  fastify        ${ratio(fastify, (r) => r.rate).toFixed(2)}× req/s, ${cpu(fastify).toFixed(1)} µs CPU/req`,
  ];
  for (const child of children.slice(2)) {
    const rate = ratio(child, (r) => r.rate);
    const p99 = ratio(child, (r) => r.p99);
    const checks = [
      `req/s ${rate.toFixed(2)}× (≥ ${rateBudget.toFixed(2)})`,
      `CPU ${cpu(child).toFixed(1)} µs/req (${body ? 'info' : `≤ fastify ${cpu(fastify).toFixed(1)}`})`,
      `p99 ${p99.toFixed(2)}× (${body ? 'info' : `≤ ${P99_BUDGET}`})`,
    ];
    const pass = rate >= rateBudget && (body || (cpu(child) <= cpu(fastify) && p99 <= P99_BUDGET));
    if (child.budgeted && !pass) failures++;
    const verdict = child.budgeted ? (pass ? 'PASS' : 'FAIL') : '(information)';
    out.push(`  ${child.name.padEnd(14)} ${checks.join(', ')} ${verdict}`);
  }
  console.log(out.join('\n'));
}

const children: Subject[] = [];
// Servers never outlive the bench, even when it fails.
process.on('exit', () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGTERM');
});
const dir = mkdtempSync(path.join(os.tmpdir(), 'modhost-http-bench-'));
try {
  console.log(
    `Node ${process.version}; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS}s per server`,
  );
  children.push(await startScript('raw node:http', 'raw-server.js', [], false));
  children.push(await startScript('fastify', 'fastify-server.js', [], false));
  for (const subject of SUBJECTS) {
    if (subject === 'serve') children.push(await startServe(dir));
    else if (subject === 'embedded')
      children.push(await startScript('embedded host', 'module-server.js', ['embedded'], true));
    else if (subject === 'test-host')
      children.push(await startScript('createTestHost', 'module-server.js', ['test-host'], true));
    else if (subject === 'no-fast-globals')
      children.push(
        await startScript('no fast globals', 'module-server.js', ['no-fast-globals'], false),
      );
  }
  for (const kind of KINDS.filter((k) => k.name.includes(KIND_FILTER)))
    for (const pipelining of PIPELINING) await line(children, kind, pipelining);
  console.log(
    failures === 0 ? 'All HTTP lines within budget.' : `${failures} line(s) over budget.`,
  );
} finally {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
