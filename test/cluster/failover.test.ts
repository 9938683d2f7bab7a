/**
 * Issue #13.4: the elected runner and cluster-wide scheduled tasks with real `modhost serve`
 * processes on a real redis-server: three instances with `run_background_tasks: auto`, a short
 * lease TTL, and faults in turn: kill -9 of the holder, SIGSTOP of the holder for longer than the
 * TTL, and Redis killed and restarted. Every run is a line in a shared file; the checks count
 * runs and compare them, they never time the processes.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HostProcess, printOutputOnFailure, tearDown } from './host-process.js';
import { waitFor } from './wait-for.js';
import { RedisServer, requireRedisServer } from '../helpers/redis-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tasksModule = `${path.resolve(here, '../fixtures/cluster/tasks.js')}#ClusterTasks`;
const TTL_MS = 1500;
const PERIOD_MS = 400;

interface LoopRun {
  instance: string;
  at: number;
}
interface TaskRun {
  instance: string;
  slot: number;
  start: number;
  end: number;
}

interface Change {
  instance: string;
  runs: boolean;
  at: number;
}

function readRuns(file: string): { loops: LoopRun[]; tasks: TaskRun[]; changes: Change[] } {
  const loops: LoopRun[] = [];
  const tasks: TaskRun[] = [];
  const changes: Change[] = [];
  if (!existsSync(file)) return { loops, tasks, changes };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [kind, instance, ...n] = line.split(' ');
    if (kind === 'loop') loops.push({ instance: instance!, at: Number(n[0]) });
    if (kind === 'change')
      changes.push({ instance: instance!, runs: n[0] === 'true', at: Number(n[1]) });
    if (kind === 'task') {
      tasks.push({
        instance: instance!,
        slot: Number(n[0]),
        start: Number(n[1]),
        end: Number(n[2]),
      });
    }
  }
  return { loops, tasks, changes };
}

/** Pairs of task runs that were going at the same time, and slots claimed twice. */
function doubleRuns(tasks: TaskRun[], exclude: (run: TaskRun) => boolean = () => false) {
  const runs = tasks.filter((r) => !exclude(r)).sort((x, y) => x.start - y.start);
  const overlaps: Array<[TaskRun, TaskRun]> = [];
  for (let i = 1; i < runs.length; i++) {
    if (runs[i]!.start < runs[i - 1]!.end) overlaps.push([runs[i - 1]!, runs[i]!]);
  }
  const slots = tasks.map((r) => r.slot);
  const repeated = slots.filter((s, i) => slots.indexOf(s) !== i);
  // Consecutive slots closer than a period: the task ran twice in one period.
  const sorted = [...new Set(slots)].sort((x, y) => x - y);
  const early = sorted.filter((s, i) => i > 0 && s - sorted[i - 1]! < PERIOD_MS);
  return { overlaps, repeated, early };
}

/**
 * Hand-overs of the loops from one instance to another with less than `gapMs` between the last
 * run of one and the first of the next. By construction the old holder stops a fifth of the TTL
 * before the lease can expire for the new one, so every hand-over has at least that gap; two
 * instances running the loop at once would show up as hand-overs with (almost) no gap.
 */
function closeHandovers(loops: LoopRun[], gapMs = 100): Array<[LoopRun, LoopRun]> {
  const sorted = [...loops].sort((x, y) => x.at - y.at);
  const close: Array<[LoopRun, LoopRun]> = [];
  for (let i = 1; i < sorted.length; i++) {
    const [prev, next] = [sorted[i - 1]!, sorted[i]!];
    if (next.instance !== prev.instance && next.at - prev.at < gapMs) close.push([prev, next]);
  }
  return close;
}

describe('failover: elected runner and scheduled tasks across three serve processes', function () {
  this.timeout(90_000);
  let redis: RedisServer;
  let dir: string;
  let log: string;
  let channel: string;
  let hosts: HostProcess[] = [];
  /** The run a SIGSTOP may have frozen mid-way (the documented non-guarantee), if any. */
  let frozenRun: (run: TaskRun) => boolean = () => false;

  async function holderOf(candidates: HostProcess[]): Promise<HostProcess[]> {
    const held = await Promise.all(
      candidates.map(async (h) => ((await h.metric('modhost_background_lease_held')) ?? 0) === 1),
    );
    return candidates.filter((_, i) => held[i]);
  }

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'modhost-failover-'));
    log = path.join(dir, 'runs.log');
    channel = `modhost-failover-${process.pid}`;
    hosts = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        HostProcess.start({
          name,
          runBackgroundTasks: 'auto',
          redisUrl: redis.url,
          channel,
          dir,
          cluster: `lease_ttl: ${TTL_MS}ms, stall_timeout: 300ms`,
          modules: [tasksModule],
          moduleConfig: { log },
        }),
      ),
    );
  });

  after(() => tearDown(hosts, redis, dir));
  afterEach(function () {
    printOutputOnFailure(this, hosts, () =>
      existsSync(log) ? `--- runs ---\n${readFileSync(log, 'utf8')}` : undefined,
    );
  });

  it('elects exactly one instance; the cluster task runs once per period, never twice at once', async () => {
    await waitFor(
      'one instance to hold the lease',
      async () => (await holderOf(hosts)).length === 1,
    );
    await waitFor('six task runs', () => readRuns(log).tasks.length >= 6, 20_000);
    let holders: HostProcess[] = [];
    await waitFor('one holder', async () => (holders = await holderOf(hosts)).length === 1);
    const { loops, tasks } = readRuns(log);
    expect(loops.some((l) => l.instance === holders[0]!.name)).to.equal(true);
    expect(closeHandovers(loops)).to.deep.equal([]);
    expect(doubleRuns(tasks)).to.deep.equal({ overlaps: [], repeated: [], early: [] });
    expect(holders[0]!.log).to.contain('gained the background-task lease');
    expect(await holders[0]!.metric('modhost_scheduled_task_runs_total')).to.be.greaterThan(0);
  });

  it("modhost inspect shows the lease holder and the task's last and next run", async () => {
    const [holder] = await holderOf(hosts);
    const bin = path.resolve(here, '../../src/cli/main.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, 'inspect', '-c', path.join(dir, 'a.yaml'), '--json'],
      { timeout: 20_000 },
    );
    const d = JSON.parse(stdout) as {
      instance: { runBackgroundTasks: unknown };
      backgroundTasks: { mode: string; holder?: string };
      scheduledTasks: Array<{
        id: string;
        runs: number;
        lastRunAt?: number;
        nextRunAt?: number;
        lastResult?: string;
      }>;
    };
    expect(d.instance.runBackgroundTasks).to.equal('auto');
    expect(d.backgroundTasks.mode).to.equal('auto');
    expect(d.backgroundTasks.holder).to.match(new RegExp(`^${holder!.name}:`));
    const [task] = d.scheduledTasks;
    expect(task).to.include({ id: 'tasks.tick', lastResult: 'ok' });
    expect(task!.runs).to.be.greaterThan(0);
    expect(task!.nextRunAt).to.be.greaterThan(task!.lastRunAt!);
  });

  it('kill -9 of the holder: another instance takes over the loops and the task', async () => {
    const [holder] = await holderOf(hosts);
    const others = hosts.filter((h) => h !== holder);
    const before = readRuns(log);
    holder!.signal('SIGKILL');
    const killedAt = Date.now();
    await holder!.exited();
    hosts = others;
    let tookOverAt = 0;
    await waitFor('another instance to run the loop', () => {
      const run = readRuns(log).loops.find((l) => l.at > killedAt && l.instance !== holder!.name);
      if (run) tookOverAt = run.at;
      return run !== undefined;
    });
    await waitFor(
      'two more task runs',
      () => readRuns(log).tasks.length >= before.tasks.length + 2,
    );
    console.log(
      `      loops resumed on another instance ${tookOverAt - killedAt} ms after kill -9 ` +
        `(lease_ttl ${TTL_MS} ms, loop every 50 ms)`,
    );
    const { loops, tasks } = readRuns(log);
    expect(doubleRuns(tasks)).to.deep.equal({ overlaps: [], repeated: [], early: [] });
    expect(closeHandovers(loops)).to.deep.equal([]);
    await waitFor('one holder', async () => (await holderOf(hosts)).length === 1);
  });

  it('SIGSTOP of the holder past the TTL: after resuming it runs nothing until it holds the lease again', async () => {
    const [holder] = await holderOf(hosts);
    const other = hosts.find((h) => h !== holder)!;
    holder!.signal('SIGSTOP');
    const stoppedAt = Date.now();
    let resumedAt = 0;
    try {
      await waitFor('the other instance to take over', () =>
        readRuns(log).loops.some((l) => l.at > stoppedAt && l.instance === other.name),
      );
      // Well past the TTL, so the frozen holder's lease has surely expired.
      await new Promise((resolve) => setTimeout(resolve, TTL_MS));
    } finally {
      holder!.signal('SIGCONT');
      resumedAt = Date.now();
    }
    await waitFor('the resumed instance to log the lost lease', () =>
      holder!.log.includes('lost the background-task lease'),
    );
    // Both keep running for a while: the new holder keeps the lease, the old one stays idle.
    await waitFor(
      'three more task runs',
      () => readRuns(log).tasks.filter((t) => t.start > resumedAt).length >= 3,
    );
    const { loops, tasks, changes } = readRuns(log);
    // It lost the lease on resuming; if a load spike later hands the lease back, runs from then on
    // are legitimate.
    const mine = changes.filter((c) => c.instance === holder!.name && c.at >= stoppedAt);
    expect(mine[0]?.runs, 'first change after the freeze').to.equal(false);
    const regainedAt = mine.find((c) => c.runs)?.at ?? Number.POSITIVE_INFINITY;
    const frozenWindow = (at: number) => at >= stoppedAt && at < regainedAt;
    const byResumed = loops.filter((l) => l.instance === holder!.name && frozenWindow(l.at));
    expect(
      byResumed,
      'loop runs by the frozen holder before it held the lease again',
    ).to.deep.equal([]);
    expect(
      tasks.filter((t) => t.instance === holder!.name && frozenWindow(t.start)),
      'task runs started by the frozen holder before it held the lease again',
    ).to.deep.equal([]);
    // A run already going when the process froze is the one thing nobody can stop (documented).
    frozenRun = (t) => t.instance === holder!.name && t.start < stoppedAt && t.end > stoppedAt;
    expect(doubleRuns(tasks, frozenRun)).to.deep.equal({ overlaps: [], repeated: [], early: [] });
    expect(closeHandovers(loops)).to.deep.equal([]);
  });

  it('Redis killed and restarted: tasks resume with no double run', async () => {
    await redis.kill();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, TTL_MS));
    await redis.restart();
    await waitFor(
      'the loop and the task to run again',
      () => {
        const { loops, tasks } = readRuns(log);
        return (
          loops.some((l) => l.at > killedAt + TTL_MS) &&
          tasks.some((t) => t.start > killedAt + TTL_MS)
        );
      },
      20_000,
    );
    await waitFor(
      'two more task runs',
      () => readRuns(log).tasks.filter((t) => t.start > killedAt).length >= 3,
    );
    const { loops, tasks } = readRuns(log);
    expect(doubleRuns(tasks, frozenRun)).to.deep.equal({ overlaps: [], repeated: [], early: [] });
    expect(closeHandovers(loops)).to.deep.equal([]);
    await waitFor('one holder', async () => (await holderOf(hosts)).length === 1);
  });
});
