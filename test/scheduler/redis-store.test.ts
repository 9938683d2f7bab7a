/**
 * Scheduled tasks over a real redis-server, without host processes: the last run is kept in Redis,
 * so a scheduler started afresh (a restarted deployment) waits for the period instead of running
 * at once; two schedulers never claim one slot.
 */
import { expect } from 'chai';
import { systemClock } from '../../src/clock/clock.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { TaskScheduler } from '../../src/scheduler/scheduler.js';
import type { TaskRunContext } from '../../src/scheduler/schedule-options.js';
import { RedisTaskStore } from '../../src/scheduler/redis-task-store.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../cluster/wait-for.js';

const owner = { name: 'reports', index: 0 };
const HOUR = 3_600_000;

describe('scheduled tasks over Redis (real redis-server)', function () {
  this.timeout(20_000);
  const server = useRedisServer();
  let schedulers: TaskScheduler[] = [];
  let seq = 0;

  afterEach(async () => {
    await Promise.all(schedulers.map((s) => s.stop()));
    schedulers = [];
  });

  function makeScheduler(prefix: string, runner: string): TaskScheduler {
    const scheduler = new TaskScheduler({
      store: new RedisTaskStore(server().url, prefix, 300, () => {}),
      clock: systemClock,
      logger: createCapturingLogger().logger,
      runnerId: runner,
      enabled: true,
    });
    schedulers.push(scheduler);
    return scheduler;
  }

  it('a restarted deployment does not run a task before its period is up', async () => {
    const prefix = `sched-test-${process.pid}-${seq++}`;
    const runs: string[] = [];
    const first = makeScheduler(prefix, 'first');
    first.schedule(owner, { id: 'hourly', every: '1h' }, () => void runs.push('first'));
    await first.start();
    await waitFor('the first run', () => runs.length === 1);
    await waitFor('it to be recorded', () => first.describe()[0]!.runs === 1);
    const lastRunAt = first.describe()[0]!.lastRunAt!;
    await first.stop();

    const second = makeScheduler(prefix, 'second');
    second.schedule(owner, { id: 'hourly', every: '1h' }, () => void runs.push('second'));
    await second.start();
    await waitFor('the second to plan', () => second.describe()[0]!.nextRunAt !== undefined);
    const [task] = second.describe();
    // One period after the last slot (the run started just after its slot).
    expect(task!.nextRunAt! - task!.lastRunAt!).to.be.within(HOUR - 2000, HOUR);
    expect(task).to.include({ runs: 1, lastResult: 'ok', lastRunAt });
    expect(runs).to.deep.equal(['first']);
  });

  it('two schedulers on one deployment claim each slot once', async () => {
    const prefix = `sched-test-${process.pid}-${seq++}`;
    const runs: Array<{ runner: string; slot: number }> = [];
    for (const runner of ['a', 'b']) {
      const s = makeScheduler(prefix, runner);
      s.schedule(owner, { id: 'often', every: '100ms' }, ({ scheduledAt }: TaskRunContext) => {
        runs.push({ runner, slot: scheduledAt });
      });
      await s.start();
    }
    await waitFor('eight runs', () => runs.length >= 8);
    const slots = runs.map((r) => r.slot);
    expect(new Set(slots).size).to.equal(slots.length);
    const sorted = [...slots].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]! - sorted[i - 1]!).to.be.at.least(100);
    }
  });
});
