/**
 * The first start of the embedded engine in an empty data directory (PGlite runs initdb) against
 * a start from a copy of a template directory (test/helpers/pglite-template.ts: what the test
 * suite gives each test that needs a fresh database on disk). Each start runs in a fresh process
 * (opens, answers `select 1`, closes) and reports its wall and CPU time, copy included; rounds
 * alternate the order and the figures are medians of per-round ratios. Budget: the copy costs at
 * most 0.5× initdb's wall time. Env: DB_FIRST_START_ROUNDS (default 3).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printRatio } from './cache/report.js';
import { EmbeddedEngine } from '../src/database/embedded-engine.js';

const ROUNDS = Number(process.env.DB_FIRST_START_ROUNDS ?? 3);
const BUDGET = 0.5;
const self = fileURLToPath(import.meta.url);

interface Start {
  wallMs: number;
  cpuMs: number;
}

/** In the child: one start in `dir`, from `template` when given; prints its costs as JSON. */
async function child(dir: string, template: string | undefined): Promise<void> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  if (template !== undefined) cpSync(template, dir, { recursive: true });
  const engine = await EmbeddedEngine.open({ dir, lockTimeoutMs: 60_000 });
  await engine.query('public', 'select 1');
  await engine.close();
  const used = process.cpuUsage(cpu);
  const start: Start = {
    wallMs: performance.now() - t0,
    cpuMs: (used.user + used.system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(start)}\n`);
}

function startIn(root: string, name: string, template?: string): Start {
  const dir = path.join(root, name);
  const args = [self, 'child', dir, ...(template ? [template] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Start;
}

async function parent(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'modhost-first-start-bench-'));
  try {
    const template = path.join(root, 'template');
    startIn(root, 'template');
    const runs: Record<'initdb' | 'copy', Start[]> = { initdb: [], copy: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['initdb', 'copy'] as const) : (['copy', 'initdb'] as const);
      for (const kind of order)
        runs[kind].push(startIn(root, `${kind}-${round}`, kind === 'copy' ? template : undefined));
    }
    const ratio = (f: (s: Start) => number) =>
      median(runs.copy.map((c, i) => f(c) / f(runs.initdb[i]!)));
    const ms = (kind: 'initdb' | 'copy', f: (s: Start) => number) =>
      `${Math.round(median(runs[kind].map(f)))} ms`;
    const wall = (s: Start) => s.wallMs;
    const cpu = (s: Start) => s.cpuMs;
    printRatio(
      'embedded first start from a template copy vs initdb (wall)',
      ratio(wall),
      BUDGET,
      `copy ${ms('copy', wall)} vs initdb ${ms('initdb', wall)}; CPU ${ms('copy', cpu)} vs ` +
        `${ms('initdb', cpu)} (${ratio(cpu).toFixed(2)}×); ${ROUNDS} rounds`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]);
else await parent();
