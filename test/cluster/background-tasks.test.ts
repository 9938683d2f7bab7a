import { expect } from 'chai';
import type { ModuleIdentity } from '../../src/api/services.js';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { BackgroundTaskRunner } from '../../src/cluster/background-tasks.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { createCapturingLogger, type LogRecord } from '../../src/logging/logger.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';

const owner: ModuleIdentity = { name: 'reaper', index: 0 };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BackgroundTaskRunner', () => {
  let clock: FakeClock;
  let records: LogRecord[];
  let runner: BackgroundTaskRunner;

  function makeRunner(runBackgroundTasks = true, extra: { stopTimeoutMs?: number } = {}) {
    const captured = createCapturingLogger();
    records = captured.records;
    return new BackgroundTaskRunner({
      clock,
      logger: captured.logger,
      runBackgroundTasks,
      instanceName: 'worker1',
      ...extra,
    });
  }

  beforeEach(() => {
    clock = new FakeClock();
    runner = makeRunner();
  });
  afterEach(() => runner.stop());

  describe('loopingCall', () => {
    it('waits one interval before the first run, then runs every interval', async () => {
      const runs: number[] = [];
      const start = clock.now();
      runner.loopingCall(owner, () => runs.push(clock.now() - start), 100);
      await clock.advance(99);
      expect(runs).to.deep.equal([]);
      await clock.advance(1);
      expect(runs).to.deep.equal([100]);
      await clock.advance(250);
      expect(runs).to.deep.equal([100, 200, 300]);
    });

    it('starts the next run only after the previous one finished', async () => {
      const starts: number[] = [];
      const ends: number[] = [];
      const start = clock.now();
      runner.loopingCall(
        owner,
        async () => {
          starts.push(clock.now() - start);
          await clock.sleep(250);
          ends.push(clock.now() - start);
        },
        100,
      );
      await clock.advance(1000);
      // run at 100, ends 350; next at 450, ends 700; next at 800, ends 1050 (not yet)
      expect(starts).to.deep.equal([100, 450, 800]);
      expect(ends).to.deep.equal([350, 700]);
      await clock.advance(100);
      expect(ends).to.deep.equal([350, 700, 1050]);
    });

    it('logs a failure with the module name and keeps looping', async () => {
      let calls = 0;
      runner.loopingCall(
        owner,
        async function flaky() {
          calls++;
          if (calls === 1) throw new Error('database away');
        },
        50,
      );
      await clock.advance(150);
      expect(calls).to.equal(3);
      const failures = records.filter((r) => r.levelName === 'error');
      expect(failures).to.have.length(1);
      expect(failures[0]!.module).to.equal('reaper');
      expect(failures[0]!.task).to.equal('flaky');
      expect(failures[0]!.msg).to.contain('loop continues');
      expect((failures[0]!.err as { message: string }).message).to.equal('database away');
    });

    it('survives a synchronous throw and a thrown non-Error', async () => {
      let calls = 0;
      runner.loopingCall(
        owner,
        () => {
          calls++;
          if (calls === 1) throw 'plain string';
          if (calls === 2) throw new TypeError('sync');
        },
        10,
      );
      await clock.advance(30);
      expect(calls).to.equal(3);
      expect(records.filter((r) => r.levelName === 'error')).to.have.length(2);
    });

    it('does not run on an instance without background tasks, and says why', async () => {
      runner = makeRunner(false);
      let calls = 0;
      const handle = runner.loopingCall(
        owner,
        function prune() {
          calls++;
        },
        10,
      );
      await clock.advance(100);
      expect(calls).to.equal(0);
      expect(handle.running).to.equal(false);
      const why = records.find((r) => r.msg.includes('not started'));
      expect(why, 'an explanation in the log').to.not.equal(undefined);
      expect(why!.levelName).to.equal('info');
      expect(why!.module).to.equal('reaper');
      expect(why!.loop).to.equal('prune');
      expect(why!.msg).to.contain('worker1').and.contain('runOnAllInstances');
      expect(runner.shouldRunBackgroundTasks()).to.equal(false);
    });

    it('runs everywhere with runOnAllInstances', async () => {
      runner = makeRunner(false);
      let calls = 0;
      const handle = runner.loopingCall(owner, () => calls++, 10, { runOnAllInstances: true });
      expect(handle.running).to.equal(true);
      await clock.advance(30);
      expect(calls).to.equal(3);
    });

    it('stops through its handle', async () => {
      let calls = 0;
      const handle = runner.loopingCall(owner, () => calls++, 10);
      await clock.advance(20);
      handle.stop();
      expect(handle.running).to.equal(false);
      await clock.advance(100);
      expect(calls).to.equal(2);
      expect(clock.pending).to.equal(0);
    });

    it('does not schedule again when stopped during a run', async () => {
      let calls = 0;
      const gate = deferred();
      const handle = runner.loopingCall(
        owner,
        async () => {
          calls++;
          await gate.promise;
        },
        10,
      );
      await clock.advance(10);
      handle.stop();
      gate.resolve();
      await clock.advance(100);
      expect(calls).to.equal(1);
      expect(clock.pending).to.equal(0);
    });

    it('rejects a non-function and a bad interval with clear errors', () => {
      expect(() => runner.loopingCall(owner, 'nope' as never, 10))
        .to.throw(ModhostError, /module reaper: loopingCall needs a function/)
        .with.property('code', 'MODHOST_BACKGROUND_TASK_INVALID');
      for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => runner.loopingCall(owner, function tick() {}, bad))
          .to.throw(ModhostError, /loopingCall tick has interval .*positive/)
          .with.property('code', 'MODHOST_BACKGROUND_TASK_INVALID');
      }
    });
  });

  describe('delayedCall', () => {
    it('runs once after the delay', async () => {
      let calls = 0;
      runner.delayedCall(owner, 500, () => calls++);
      await clock.advance(499);
      expect(calls).to.equal(0);
      await clock.advance(1);
      expect(calls).to.equal(1);
      await clock.advance(5000);
      expect(calls).to.equal(1);
    });

    it('can be cancelled', async () => {
      let calls = 0;
      const handle = runner.delayedCall(owner, 500, () => calls++);
      await clock.advance(100);
      handle.cancel();
      await clock.advance(1000);
      expect(calls).to.equal(0);
    });

    it('logs a failure with the module name', async () => {
      runner.delayedCall(owner, 5, async function notify() {
        throw new Error('no route');
      });
      await clock.advance(5);
      const failure = records.find((r) => r.levelName === 'error');
      expect(failure?.module).to.equal('reaper');
      expect(failure?.task).to.equal('notify');
      expect(failure?.msg).to.equal('delayed call failed');
    });

    it('runs on instances without background tasks too', async () => {
      runner = makeRunner(false);
      let calls = 0;
      runner.delayedCall(owner, 5, () => calls++);
      await clock.advance(5);
      expect(calls).to.equal(1);
    });

    it('rejects a negative delay', () => {
      expect(() => runner.delayedCall(owner, -1, () => 0))
        .to.throw(ModhostError, /delayedCall anonymous has delay -1/)
        .with.property('code', 'MODHOST_BACKGROUND_TASK_INVALID');
    });
  });

  describe('runInBackground', () => {
    it('resolves to the result', async () => {
      expect(await runner.runInBackground(owner, 'sum', async () => 1 + 2)).to.equal(3);
    });

    it('resolves to null and logs the description on failure', async () => {
      const result = await runner.runInBackground(owner, 'sync users', async () => {
        throw new Error('remote down');
      });
      expect(result).to.equal(null);
      const failure = records.find((r) => r.levelName === 'error');
      expect(failure?.module).to.equal('reaper');
      expect(failure?.task).to.equal('sync users');
      expect(failure?.msg).to.equal('background task failed');
    });

    it('catches a synchronous throw', async () => {
      const result = await runner.runInBackground(owner, 'sync', () => {
        throw new Error('at once');
      });
      expect(result).to.equal(null);
    });
  });

  describe('stop', () => {
    it('stops every loop and pending delayed call', async () => {
      let loops = 0;
      let delayed = 0;
      runner.loopingCall(owner, () => loops++, 10);
      runner.loopingCall(owner, () => loops++, 15, { runOnAllInstances: true });
      runner.delayedCall(owner, 100, () => delayed++);
      await runner.stop();
      await clock.advance(1000);
      expect(loops).to.equal(0);
      expect(delayed).to.equal(0);
      expect(clock.pending).to.equal(0);
    });

    it('waits for a running iteration and a detached task to finish', async () => {
      const loopGate = deferred();
      const taskGate = deferred();
      let loopDone = false;
      let taskDone = false;
      runner.loopingCall(
        owner,
        async () => {
          await loopGate.promise;
          loopDone = true;
        },
        10,
      );
      await clock.advance(10);
      void runner.runInBackground(owner, 'flush', async () => {
        await taskGate.promise;
        taskDone = true;
      });
      let stopped = false;
      const stopping = runner.stop().then(() => (stopped = true));
      await clock.advance(0);
      expect(stopped).to.equal(false);
      loopGate.resolve();
      await clock.advance(0);
      expect(stopped).to.equal(false);
      taskGate.resolve();
      await stopping;
      expect(loopDone && taskDone).to.equal(true);
    });

    it('gives up on a task that never ends, with a warning', async () => {
      runner = makeRunner(true, { stopTimeoutMs: 20 });
      void runner.runInBackground(owner, 'stuck', () => new Promise(() => {}));
      await runner.stop();
      const warning = records.find((r) => r.levelName === 'warn');
      expect(warning?.msg).to.contain('still running');
    });

    it('is idempotent and refuses new loops afterwards', async () => {
      await runner.stop();
      await runner.stop();
      let calls = 0;
      const handle = runner.loopingCall(owner, () => calls++, 10);
      runner.delayedCall(owner, 10, () => calls++);
      await clock.advance(100);
      expect(calls).to.equal(0);
      expect(handle.running).to.equal(false);
      expect(records.filter((r) => r.msg.includes('host is stopping'))).to.have.length(2);
    });
  });

  it('counts failures in a metric by module and kind', async () => {
    const metrics = createMetricsRegistry();
    const { logger } = createCapturingLogger();
    runner = new BackgroundTaskRunner({ clock, logger, runBackgroundTasks: true, metrics });
    runner.loopingCall(
      owner,
      () => {
        throw new Error('x');
      },
      10,
    );
    runner.loopingCall(owner, () => 0, 10);
    await runner.runInBackground(owner, 'bad', () => {
      throw new Error('y');
    });
    await clock.advance(20);
    const text = await metrics.metrics();
    expect(text).to.contain(
      'modhost_background_task_failures_total{module="reaper",kind="looping_call"} 2',
    );
    expect(text).to.contain(
      'modhost_background_task_failures_total{module="reaper",kind="background"} 1',
    );
    expect(text).to.contain('modhost_looping_calls_active 2');
  });
});
