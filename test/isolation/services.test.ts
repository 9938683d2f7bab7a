/**
 * Host services in an isolated module, as in process: `api.scheduleTask` planned by the host's
 * scheduler with each run (and its signal's abort) carried into the worker; the background-task
 * lease seen through `shouldRunBackgroundTasks`/`onBackgroundTasksChange`; a module's own
 * providers built and disposed in its worker, and exports across threads refused at load.
 */
import { expect } from 'chai';
import type { BackgroundGate } from '../../src/cluster/background-gate.js';
import type { Runtime } from '../../src/host/runtime.js';
import { createTestHost, type TestHost } from 'modhost/testing';
import { waitFor } from '../cluster/wait-for.js';
import { builtFixture } from '../helpers/paths.js';
import { rejectionOf } from '../helpers/rejection.js';

const FILE = builtFixture('isolation/services.js');
const url = (path: string) => `http://x/_synapse/client${path}`;
const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1, 10, 0, 0);
/** Generous: a worker's restart imports the module graph again on a loaded machine. */
const LIMIT = 30_000;

const runtimeOf = (host: TestHost) => (host as unknown as { runtime: Runtime }).runtime;

async function state<T>(host: TestHost, path: string): Promise<T> {
  return (await (await host.fetch(new Request(url(path)))).json()) as T;
}

/** A lease the test hands out and takes back. */
class FlipGate implements BackgroundGate {
  readonly mode = 'auto' as const;
  private readonly handlers = new Set<(holds: boolean) => void>();
  constructor(private value: boolean) {}
  flip(value: boolean): void {
    this.value = value;
    for (const h of this.handlers) h(value);
  }
  holds(): boolean {
    return this.value;
  }
  onChange(handler: (holds: boolean) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  describe() {
    return { mode: this.mode, holds: this.value };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

describe('isolation: host services in a worker', function () {
  this.timeout(60_000);

  describe('api.scheduleTask', () => {
    interface Planned {
      runs: { scheduledAt: number; taskId: string }[];
      aborted: { name: string; message: string }[];
      duplicate: string;
      stopped: boolean;
    }
    let host: TestHost;
    before(async () => {
      host = await createTestHost({
        modules: [{ module: `${FILE}#Planner`, isolation: 'worker' }],
        now: START,
      });
    });
    after(() => host?.stop());
    const planned = () => state<Planned>(host, '/planner');
    const task = () => host.inspect().scheduledTasks.find((t) => t.id === 'planner.report');

    it('checks its options in the worker, as in process', async () => {
      const s = await planned();
      expect(s.duplicate).to.include('module planner: api.scheduleTask({ id: "report" })');
      expect(s.duplicate).to.include('already scheduled by this module');
      // The task stopped from its constructor is not planned by the host.
      expect(host.inspect().scheduledTasks.map((t) => t.id)).to.deep.equal(['planner.report']);
    });

    it("is planned by the host's scheduler and runs in the worker; its timeout aborts the run there", async () => {
      await host.clock.advance(1000);
      await waitFor('the first run in the worker', async () => (await planned()).runs.length === 1);
      expect((await planned()).runs[0]).to.deep.equal({
        scheduledAt: START,
        taskId: 'planner.report',
      });
      await host.clock.advance(10 * 60_000);
      await waitFor('the abort in the worker', async () => (await planned()).aborted.length === 1);
      const [aborted] = (await planned()).aborted;
      expect(aborted!.name).to.equal('TaskTimeoutError');
      expect(aborted!.message).to.include('timed out after 600000 ms');
      await waitFor('the run recorded as a timeout', () => task()?.nextRunAt === START + HOUR);
      expect(task()).to.include({ runs: 1, failures: 1, lastResult: 'timeout' });
      // The next period runs as usual (advanced only to its slot: the worker answers in real
      // time, so a longer advance could pass the run's timeout before it answers).
      await host.clock.advance(START + HOUR - host.clock.now());
      await waitFor('the second run', async () => (await planned()).runs.length === 2);
      await waitFor('the second run recorded', () => task()?.lastResult === 'ok');
      expect((await planned()).stopped).to.equal(false);
    });

    it('aborts a run in the worker when the host loses the lease', async () => {
      await waitFor('the next run planned', () => task()?.nextRunAt === START + 2 * HOUR);
      // The third run hangs like the first (within its timeout), until the lease is lost.
      await host.clock.advance(START + 2 * HOUR - host.clock.now());
      await waitFor('the third run', async () => (await planned()).runs.length === 3);
      runtimeOf(host).scheduler.lost('this instance lost the background-task lease');
      await waitFor('the abort in the worker', async () => (await planned()).aborted.length === 2);
      expect((await planned()).aborted[1]!.message).to.include('lost the background-task lease');
    });
  });

  it('schedules the task again in the rebuilt worker after a restart, once', async () => {
    const host = await createTestHost({
      modules: [
        {
          module: `${FILE}#Planner`,
          isolation: 'worker',
          supervision: { restart_backoff: '10ms' },
        },
      ],
      now: START,
    });
    try {
      await host.fetch(new Request(url('/planner/exit'))).catch(() => undefined);
      await waitFor(
        'the restart',
        () => host.logs.some((r) => r.msg.includes('restarted in a new worker thread')),
        LIMIT,
      );
      expect(host.inspect().scheduledTasks.map((t) => t.id)).to.deep.equal(['planner.report']);
      await host.clock.advance(1000);
      await waitFor(
        'the run in the new worker',
        async () => (await state<{ runs: unknown[] }>(host, '/planner')).runs.length === 1,
      );
    } finally {
      await host.stop();
    }
  });

  it("follows the host's background-task lease: the initial answer and each change", async () => {
    const host = await createTestHost({
      modules: [{ module: `${FILE}#Watcher`, isolation: 'worker' }],
      start: false,
    });
    try {
      const gate = new FlipGate(false);
      (runtimeOf(host).tasks as unknown as { gate: BackgroundGate }).gate = gate;
      await host.start();
      type Watched = { initial: boolean; changes: boolean[]; now: boolean };
      const watched = () => state<Watched>(host, '/watcher');
      expect(await watched()).to.deep.equal({ initial: false, changes: [], now: false });
      gate.flip(true);
      await waitFor('the gain in the worker', async () => (await watched()).now);
      gate.flip(false);
      await waitFor('the loss in the worker', async () => !(await watched()).now);
      expect((await watched()).changes).to.deep.equal([true, false]);
    } finally {
      await host.stop();
    }
  });

  it('builds the module’s own providers in its worker and disposes them at stop after its background work; its cache metrics reach the host', async () => {
    const host = await createTestHost({
      modules: [{ module: `${FILE}#Greeting`, isolation: 'worker' }],
    });
    try {
      for (let i = 0; i < 3; i++)
        expect(await state(host, '/greeting')).to.deep.equal({
          text: 'hello, bob (from greeting)',
        });
      // The cache lives in the worker; the host's /metrics carries its counters.
      const text = await host.metrics.metrics();
      const line = (name: string) =>
        text
          .split('\n')
          .find((l) => l.startsWith(`${name}{`) && l.includes('cache="greeting.text"'));
      expect(line('modhost_cache_misses_total')).to.match(/ 1$/);
      expect(line('modhost_cache_hits_total')).to.match(/ 2$/);
      expect(line('modhost_cache_size')).to.match(/ 1$/);
    } finally {
      await host.stop();
    }
    // onStop's background work ended first, then the providers were disposed, in the worker.
    const lines = host.logs.filter((r) => r.module === 'greeting').map((r) => r.msg);
    expect(lines.filter((m) => m === 'flushed' || m === 'greeter stopped')).to.deep.equal([
      'flushed',
      'greeter stopped',
    ]);
  });

  it('refuses exports out of or into a worker, and overrides of its providers, at load, naming the module and the token', async () => {
    const err = await rejectionOf(
      createTestHost({
        modules: [
          { module: `${FILE}#Exporter`, isolation: 'worker' },
          { module: `${FILE}#Importer` },
        ],
      }),
    );
    expect(err.message).to.include(
      'modules[0].module: module "exporter" runs in a worker thread (isolation: worker) and exports Greeter',
    );
    expect(err.message).to.include(
      'modules[1].module: module "importer" needs Greeter, which module "exporter" exports, but "exporter" runs in a worker thread',
    );
    const into = await rejectionOf(
      createTestHost({
        modules: [
          { module: `${FILE}#Exporter` },
          { module: `${FILE}#Importer`, isolation: 'worker' },
        ],
      }),
    );
    expect(into.message).to.include(
      'modules[1].module: module "importer" needs Greeter, which module "exporter" exports, but "importer" runs in a worker thread',
    );
    expect(into.message).to.not.include('modules[0]');
    // The testing kit's overrides cannot reach a worker's container either.
    const overridden = await rejectionOf(
      createTestHost({
        modules: [{ module: `${FILE}#Greeting`, isolation: 'worker' }],
        overrides: [{ module: 'greeting', provide: 'greeting', useValue: 'hey' }],
      }),
    );
    expect(overridden.message).to.include(
      'modules[0].module: module "greeting" runs in a worker thread (isolation: worker): the override of "greeting" cannot reach its container',
    );
  });
});
