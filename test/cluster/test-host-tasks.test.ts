/** Background tasks through a real host: ModuleApi → runner → the test host's fake clock. */
import { expect } from 'chai';
import { Module } from '../../decorators/index.js';
import type { LoopHandle } from '../../src/api/services.js';
import { ModuleApi } from '../../src/index.js';
import { createTestHost, type TestHost } from '../../src/testing/index.js';

@Module({ name: 'janitor' })
class Janitor {
  sweeps = 0;
  heartbeats = 0;
  reminders = 0;
  readonly sweeper: LoopHandle;
  readonly heartbeat: LoopHandle;

  constructor(readonly api: ModuleApi) {
    this.sweeper = api.loopingCall(async () => {
      this.sweeps++;
      if (this.sweeps === 2) throw new Error('sweep failed once');
    }, '1m');
    this.heartbeat = api.loopingCall(() => this.heartbeats++, '10s', { runOnAllInstances: true });
    api.delayedCall('30s', () => this.reminders++);
  }
}

describe('background tasks in a host', () => {
  let host: TestHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it('runs loops and delayed calls on the fake clock; failures are logged, loops go on', async () => {
    host = await createTestHost({ modules: [{ module: Janitor }] });
    const janitor = host.module(Janitor) as Janitor;
    expect(janitor.api.shouldRunBackgroundTasks()).to.equal(true);
    await host.clock.advance(3 * 60_000);
    expect(janitor.sweeps).to.equal(3);
    expect(janitor.heartbeats).to.equal(18);
    expect(janitor.reminders).to.equal(1);
    const failure = host.logs.find((r) => r.levelName === 'error');
    expect(failure?.module).to.equal('janitor');
    expect(failure?.msg).to.contain('looping call failed');
  });

  it('runs only loops marked runOnAllInstances where background tasks are off', async () => {
    host = await createTestHost({
      modules: [{ module: Janitor }],
      instance: { name: 'worker2', run_background_tasks: false },
    });
    const janitor = host.module(Janitor) as Janitor;
    expect(janitor.api.shouldRunBackgroundTasks()).to.equal(false);
    await host.clock.advance(3 * 60_000);
    expect(janitor.sweeps).to.equal(0);
    expect(janitor.sweeper.running).to.equal(false);
    expect(janitor.heartbeats).to.equal(18);
    expect(janitor.reminders).to.equal(1);
    const why = host.logs.find((r) => r.msg.startsWith('looping call not started'));
    expect(why?.msg).to.contain('instance worker2');
  });

  it('stops every loop when the host stops', async () => {
    host = await createTestHost({ modules: [{ module: Janitor }] });
    const janitor = host.module(Janitor) as Janitor;
    await host.clock.advance(60_000);
    await host.stop();
    expect(janitor.sweeper.running).to.equal(false);
    expect(janitor.heartbeat.running).to.equal(false);
    const before = { sweeps: janitor.sweeps, heartbeats: janitor.heartbeats };
    await host.clock.advance(10 * 60_000);
    expect({ sweeps: janitor.sweeps, heartbeats: janitor.heartbeats }).to.deep.equal(before);
    host = undefined;
  });
});
