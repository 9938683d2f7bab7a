/**
 * HTTP benchmark: a module's GET resource (WebRegistry + WebServer) against a raw `node:http`
 * server sending the same JSON body. Each server runs in its own process; autocannon loads them
 * in interleaved rounds (order alternating) so drift on a noisy machine hits both alike; the
 * figure is the median of the per-round requests/s ratios. Budget: ≥ 0.90× raw.
 *
 * Env: HTTP_BENCH_ROUNDS (default 5), HTTP_BENCH_SECONDS per run (default 3),
 * HTTP_BENCH_CONNECTIONS (default 50).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_PATH, READY_PREFIX } from './http/body.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 50);
const BUDGET = 0.9;

interface Child {
  name: string;
  process: ChildProcess;
  url: string;
}

function startChild(name: string, script: string, args: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [path.join(here, 'http', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (line) resolve({ name, process: child, url: line.slice(READY_PREFIX.length).trim() });
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited early (${code})`)));
  });
}

async function load(url: string, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `${url}${BENCH_PATH}`,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return result.requests.average;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function compare(raw: Child, subject: Child): Promise<void> {
  await load(raw.url, 1); // warm-up (JIT, sockets)
  await load(subject.url, 1);
  const ratios: number[] = [];
  const rawRates: number[] = [];
  const subjectRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [raw, subject] : [subject, raw];
    const rates = new Map<Child, number>();
    for (const server of order) rates.set(server, await load(server.url, SECONDS));
    rawRates.push(rates.get(raw)!);
    subjectRates.push(rates.get(subject)!);
    ratios.push(rates.get(subject)! / rates.get(raw)!);
  }
  const ratio = median(ratios);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `${subject.name}: ${fmt(median(subjectRates))} req/s vs raw node:http ${fmt(median(rawRates))} req/s` +
      ` → ${ratio.toFixed(3)}× (rounds: ${ratios.map((r) => r.toFixed(3)).join(' ')})` +
      ` budget ≥ ${BUDGET.toFixed(2)}× ${ratio >= BUDGET ? 'PASS' : 'FAIL'}`,
  );
}

const children: Child[] = [];
try {
  const raw = await startChild('raw node:http', 'raw-server.js');
  children.push(raw);
  for (const variant of ['response-json', 'json-helper']) {
    const subject = await startChild(
      `module GET (${variant === 'response-json' ? 'Response.json' : 'jsonResponse'})`,
      'module-server.js',
      [variant],
    );
    children.push(subject);
    await compare(raw, subject);
    subject.process.kill('SIGTERM');
  }
} finally {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGTERM');
}
