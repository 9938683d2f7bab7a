/**
 * Cost that grows with the work (issue: start-up, config validation, wiring), against baselines
 * measured in the same run, each side in a fresh process, interleaved, medians:
 *  - start-up: `modhost check` of a one-module file vs `node -e 0` (budget ≤ 3×);
 *  - loading N generated modules (import, scan, validate each config) vs importing the same files
 *    alone (budget ≤ 1.3×), at N = 10, 100, 1000;
 *  - the per-module cost of loading and of wiring at each N, and the marginal cost of each
 *    module added between sizes (fixed costs cancel out), which must stay flat: the marginal cost
 *    between the two largest sizes within 1.5× that between the two smallest.
 * Start-up is judged on wall time (what a user waits for), with CPU printed beside it; loading and
 * wiring on CPU time (user + system), steadier than wall time on a shared machine.
 * With SCALE_BENCH_INSTRUCTIONS=1 (and valgrind installed) the start-up lines also print the ratio
 * of instructions executed (callgrind, all threads), which machine load does not move.
 * Env: SCALE_BENCH_ROUNDS (default 5), SCALE_BENCH_SIZES (default 10,100,1000; empty: start-up only).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHost } from './scale/generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const ROUNDS = Number(process.env.SCALE_BENCH_ROUNDS ?? 5);
// SCALE_BENCH_SIZES='' runs the start-up lines alone.
const SIZES = (process.env.SCALE_BENCH_SIZES ?? '10,100,1000')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/**
 * Wall and CPU ms of a whole command. Wall is timed here around the spawn (time's own %e has
 * 10 ms steps, too coarse for a 60 ms baseline); both sides pay the same spawn. CPU is as the
 * kernel counts it for the child (10 ms steps, info).
 */
function commandCost(args: string[]): { wall: number; cpu: number } {
  const start = performance.now();
  const result = spawnSync('/bin/sh', ['-c', `${TIME} ${args.map(quote).join(' ')}`], {
    encoding: 'utf8',
    cwd: repo,
  });
  const wall = performance.now() - start;
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  const [, user, sys] = line.split(' ').map(Number);
  if (result.status !== 0 || user === undefined || sys === undefined)
    throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { wall, cpu: (user + sys) * 1000 };
}
const TIME = `/usr/bin/time -f '%e %U %S'`;

/** Instructions a whole command executes (every thread), as callgrind counts them. */
function instructions(args: string[]): number {
  const out = path.join(os.tmpdir(), `modhost-callgrind-${process.pid}.out`);
  const result = spawnSync(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, ...args],
    { encoding: 'utf8', cwd: repo, timeout: 600_000 },
  );
  rmSync(out, { force: true });
  const collected = /Collected : (\d+)/.exec(result.stderr ?? '');
  if (result.status !== 0 || !collected)
    throw new Error(`valgrind ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return Number(collected[1]);
}
const INSTRUCTIONS = process.env.SCALE_BENCH_INSTRUCTIONS === '1';
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function child(mode: string, config: string): { ms: number; cpuMs: number } {
  const result = spawnSync(process.execPath, [path.join(here, 'scale', 'child.js'), mode, config], {
    encoding: 'utf8',
    cwd: repo,
  });
  if (result.status !== 0) throw new Error(`${mode} ${config}: ${result.stderr}`);
  return JSON.parse(result.stdout) as { ms: number; cpuMs: number };
}

process.stdout.write(`node ${process.version}\n`);

/**
 * Start-up: `modhost check` of a one-module file against a bare node. Two modules: one without a
 * config class (all the cost is modhost's), and one whose config class uses class-validator,
 * whose own import is then part of the module (the baseline imports it too).
 */
function startup(label: string, configClass: boolean, baseline: string[]): void {
  const one = generateHost(1, { configClass });
  // The installed executable (package.json `bin`), as a user runs it.
  const cli = path.join(
    repo,
    (
      JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
        bin: { modhost: string };
      }
    ).bin.modhost,
  );
  const wall: number[] = [];
  const cpu: number[] = [];
  const ours: { wall: number; cpu: number }[] = [];
  const bare: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < ROUNDS * 2; i++) {
    const b = commandCost([process.execPath, ...baseline]);
    const c = commandCost([process.execPath, cli, 'check', '-c', one.config]);
    bare.push(b);
    ours.push(c);
    wall.push(c.wall / b.wall);
    cpu.push(c.cpu / b.cpu);
  }
  const r = median(wall);
  const ms = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu') =>
    median(xs.map((x) => x[k])).toFixed(0);
  process.stdout.write(
    `start-up: modhost check, ${label}: ${ms(ours, 'wall')} ms vs node ${baseline.join(' ')} ` +
      `${ms(bare, 'wall')} ms: ${r.toFixed(2)}× (budget ≤ 3×) ${verdict(r <= 3)}; CPU ` +
      `${ms(ours, 'cpu')} vs ${ms(bare, 'cpu')} ms: ${median(cpu).toFixed(2)}× (info)\n`,
  );
  if (INSTRUCTIONS) {
    const base = instructions([process.execPath, ...baseline]);
    const ours = instructions([process.execPath, cli, 'check', '-c', one.config]);
    process.stdout.write(
      `start-up: modhost check, ${label}: instructions ${(ours / 1e6).toFixed(0)} M vs ` +
        `${(base / 1e6).toFixed(0)} M: ${(ours / base).toFixed(2)}× (info, load-independent)\n`,
    );
  }
  rmSync(one.dir, { recursive: true, force: true });
}
startup('a module without config class', false, ['-e', '0']);
startup('a module with a class-validator config class', true, [
  '--input-type=module',
  '-e',
  "import 'class-validator'",
]);

const perModule: {
  size: number;
  load: number;
  wire: number;
  totalLoad: number;
  totalWire: number;
}[] = [];
for (const size of SIZES) {
  const host = generateHost(size);
  writeFileSync(`${host.config}.files.json`, JSON.stringify(host.files));
  const ratios: number[] = [];
  const loads: number[] = [];
  const wires: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const base = child('import', host.config).cpuMs;
    const load = child('load', host.config).cpuMs;
    const wire = child('wire', host.config).cpuMs;
    ratios.push(load / base);
    loads.push(load);
    wires.push(wire);
  }
  const r = median(ratios);
  const totalLoad = median(loads);
  const totalWire = median(wires);
  const row = { size, load: totalLoad / size, wire: totalWire / size, totalLoad, totalWire };
  perModule.push(row);
  process.stdout.write(
    `${String(size).padStart(5)} modules: load ${(row.load * 1000).toFixed(0)} µs/module, ` +
      `wire ${(row.wire * 1000).toFixed(0)} µs/module; load vs importing the files alone ` +
      `${r.toFixed(2)}× (budget ≤ 1.3×) ${verdict(r <= 1.3)}\n`,
  );
  rmSync(host.dir, { recursive: true, force: true });
}
const marginals = perModule.slice(1).map((row, i) => {
  const prev = perModule[i]!;
  const added = row.size - prev.size;
  const m = {
    from: prev.size,
    to: row.size,
    load: (row.totalLoad - prev.totalLoad) / added,
    wire: (row.totalWire - prev.totalWire) / added,
  };
  process.stdout.write(
    `marginal cost per module added, ${m.from} → ${m.to}: load ${(m.load * 1000).toFixed(0)} µs, ` +
      `wire ${(m.wire * 1000).toFixed(0)} µs\n`,
  );
  return m;
});
if (marginals.length > 1) {
  const first = marginals[0]!;
  const last = marginals.at(-1)!;
  const load = last.load / first.load;
  const wire = last.wire / first.wire;
  process.stdout.write(
    `marginal cost ${last.from} → ${last.to} vs ${first.from} → ${first.to}: load ` +
      `${load.toFixed(2)}×, wire ${wire.toFixed(2)}× (flat: ≤ 1.5×) ${verdict(load <= 1.5 && wire <= 1.5)}\n`,
  );
}
