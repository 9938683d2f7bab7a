/**
 * api.scheduleTask on a single instance (no Redis): the same API, state in memory, timed by the
 * test host's fake clock. Cluster behaviour is in test/cluster/failover.test.ts.
 */
import { expect } from 'chai';
import { Module } from '../../decorators/index.js';
import { ModuleApi, ModhostError } from '../../src/index.js';
import type { TaskRunContext } from '../../src/scheduler/schedule-options.js';
import { createTestHost, type TestHost } from '../../src/testing/index.js';

interface Run {
  scheduledAt: number;
  startedAt: number;
}

@Module({ name: 'reports' })
class Reports {
  runs: Run[] = [];
  /** Held open by the test to make runs long. */
  release: (() => void) | undefined;
  slow = false;
  aborted: unknown[] = [];

  constructor(readonly api: ModuleApi) {
    api.scheduleTask({ id: 'hourly', every: '1h', timeout: '10m' }, (ctx) => this.run(ctx));
  }

  private async run({ scheduledAt, signal }: TaskRunContext): Promise<void> {
    this.runs.push({ scheduledAt, startedAt: this.api.now() });
    if (!this.slow) return;
    await new Promise<void>((resolve) => {
      this.release = resolve;
      signal.addEventListener('abort', () => {
        this.aborted.push(signal.reason);
        resolve();
      });
    });
  }
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1, 10, 0, 0);

describe('api.scheduleTask on a single instance', () => {
  let host: TestHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it('runs once per period, from the start, on the fake clock', async () => {
    host = await createTestHost({ modules: [{ module: Reports }], now: START });
    const reports = host.module(Reports) as Reports;
    await host.clock.advance(3 * HOUR + 1000);
    expect(reports.runs.map((r) => r.scheduledAt - START)).to.deep.equal([
      0,
      HOUR,
      2 * HOUR,
      3 * HOUR,
    ]);
    const [task] = host.inspect().scheduledTasks;
    expect(task).to.include({ id: 'reports.hourly', runs: 4, failures: 0, lastResult: 'ok' });
    expect(task!.nextRunAt).to.equal(START + 4 * HOUR);
  });

  it('never starts a run while one is going; the timeout aborts its signal', async () => {
    host = await createTestHost({ modules: [{ module: Reports }], now: START });
    const reports = host.module(Reports) as Reports;
    reports.slow = true;
    await host.clock.advance(1000); // first run starts and hangs
    expect(reports.runs.length).to.equal(1);
    await host.clock.advance(9 * 60_000); // within its timeout: nothing else starts
    expect(reports.runs.length).to.equal(1);
    await host.clock.advance(60_000); // the 10 min timeout aborts it
    expect(reports.aborted.length).to.equal(1);
    expect(String(reports.aborted[0])).to.contain('timed out after 600000 ms');
    const [task] = host.inspect().scheduledTasks;
    expect(task).to.include({ runs: 1, failures: 1, lastResult: 'timeout' });
    const warning = host.logs.find((r) => r.msg.includes('scheduled task timed out'));
    expect(warning).to.include({ levelName: 'warn', module: 'reports', task: 'reports.hourly' });
    // The next period runs as usual.
    reports.slow = false;
    await host.clock.advance(HOUR);
    expect(reports.runs.length).to.equal(2);
  });

  it('logs a failing run with the module and task and keeps the schedule', async () => {
    @Module({ name: 'flaky' })
    class Flaky {
      calls = 0;
      constructor(api: ModuleApi) {
        api.scheduleTask({ id: 'sync', cron: '*/5 * * * *' }, () => {
          this.calls++;
          throw new Error('upstream down');
        });
      }
    }
    host = await createTestHost({ modules: [{ module: Flaky }], now: START });
    await host.clock.advance(16 * 60_000);
    // The first occurrence at or after the start: 10:00, 10:05, 10:10, 10:15.
    expect((host.module(Flaky) as Flaky).calls).to.equal(4);
    const error = host.logs.find((r) => r.levelName === 'error');
    expect(error).to.include({ module: 'flaky', task: 'flaky.sync', msg: 'scheduled task failed' });
    expect(host.inspect().scheduledTasks[0]).to.include({
      failures: 4,
      lastError: 'upstream down',
    });
  });

  it('waits initialDelay before the first run', async () => {
    @Module({ name: 'late' })
    class Late {
      calls = 0;
      constructor(api: ModuleApi) {
        api.scheduleTask({ id: 'x', every: '1m', initialDelay: '5m' }, () => void this.calls++);
      }
    }
    host = await createTestHost({ modules: [{ module: Late }], now: START });
    await host.clock.advance(4 * 60_000);
    expect((host.module(Late) as Late).calls).to.equal(0);
    await host.clock.advance(2 * 60_000 + 1);
    expect((host.module(Late) as Late).calls).to.equal(2);
  });

  it('plans nothing on an instance that does not run background tasks, and says so', async () => {
    host = await createTestHost({
      modules: [{ module: Reports }],
      instance: { name: 'web2', run_background_tasks: false },
      now: START,
    });
    await host.clock.advance(2 * HOUR);
    expect((host.module(Reports) as Reports).runs).to.deep.equal([]);
    expect(host.logs.some((r) => r.msg.startsWith('scheduled task not planned here'))).to.equal(
      true,
    );
  });

  const misuse: Array<[string, unknown, RegExp]> = [
    ['no id', { every: '1m' }, /id undefined is not usable/],
    ['neither every nor cron', { id: 'x' }, /exactly one of every .* or cron/],
    ['both every and cron', { id: 'x', every: '1m', cron: '* * * * *' }, /exactly one of/],
    ['a bad duration', { id: 'x', every: 'often' }, /every "often" must be a positive/],
    ['a zero timeout', { id: 'x', every: '1m', timeout: 0 }, /timeout 0 must be a positive/],
    ['an unknown option', { id: 'x', every: '1m', interval: 5 }, /unknown option interval/],
    ['a bad cron', { id: 'x', cron: '61 * * * *' }, /field 1 \(minute\) "61" has 61, outside 0-59/],
  ];
  for (const [what, options, message] of misuse) {
    it(`refuses ${what}, naming the module and task`, async () => {
      @Module({ name: 'wrong' })
      class Wrong {
        constructor(api: ModuleApi) {
          api.scheduleTask(options as never, () => {});
        }
      }
      let caught: unknown;
      await createTestHost({ modules: [{ module: Wrong }] }).catch(
        (err: unknown) => (caught = err),
      );
      expect(caught).to.be.instanceOf(ModhostError);
      const text = `${(caught as Error).message} ${String((caught as Error).cause ?? '')}`;
      expect(text).to.contain('module wrong: api.scheduleTask(');
      expect(text).to.match(message);
    });
  }

  it('refuses two tasks with one id in a module', async () => {
    @Module({ name: 'twice' })
    class Twice {
      constructor(api: ModuleApi) {
        api.scheduleTask({ id: 'same', every: '1m' }, () => {});
        api.scheduleTask({ id: 'same', every: '2m' }, () => {});
      }
    }
    let caught: unknown;
    await createTestHost({ modules: [{ module: Twice }] }).catch((err: unknown) => (caught = err));
    expect(String((caught as Error).message) + String((caught as Error).cause ?? '')).to.contain(
      'a task with this id is already scheduled',
    );
  });
});
