/**
 * Durations that reach a Node.js timer from module code (ModuleApi.loopingCall, delayedCall,
 * sleep) are refused above 2^31-1 ms, which Node would silently turn into 1 ms.
 */
import { expect } from 'chai';
import { Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { MAX_TIMER_MS } from '../../src/config/units.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { createTestHost } from '../../src/testing/index.js';

@Module({ name: 'timers' })
class UsesTimers {
  constructor(readonly api: ModuleApi) {}
}

describe('ModuleApi timer durations', () => {
  const tooLong = (call: () => unknown, name: string, value: unknown) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ModhostError);
    expect(thrown).to.include({ code: 'MODHOST_DURATION_TOO_LONG' });
    const message = (thrown as Error).message;
    expect(message).to.contain(`module timers: ${name} was given ${JSON.stringify(value)}`);
    expect(message).to.contain('maximum of 24d (2147483647 ms');
  };

  it('loopingCall, delayedCall and sleep refuse a duration over 2^31-1 ms, naming the call', async () => {
    const host = await createTestHost({ modules: [{ module: UsesTimers, config: {} }] });
    try {
      const api = host.module(UsesTimers).api;
      tooLong(() => api.loopingCall(() => undefined, '30d'), 'loopingCall', '30d');
      tooLong(
        () => api.delayedCall(MAX_TIMER_MS + 1, () => undefined),
        'delayedCall',
        MAX_TIMER_MS + 1,
      );
      tooLong(() => api.sleep('9999999999d'), 'sleep', '9999999999d');
    } finally {
      await host.stop();
    }
  });

  it('the maximum itself is accepted', async () => {
    const host = await createTestHost({ modules: [{ module: UsesTimers, config: {} }] });
    try {
      const api = host.module(UsesTimers).api;
      const handle = api.delayedCall(MAX_TIMER_MS, () => undefined);
      handle.cancel();
    } finally {
      await host.stop();
    }
  });
});
