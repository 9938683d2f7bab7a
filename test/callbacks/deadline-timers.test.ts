/** The timers behind callback_timeout never keep a process alive, and `stop()` clears them. */
import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeadlineQueue, CallbackWait } from '../../src/callbacks/deadlines.js';
import { MAX_TIMER_MS } from '../../src/config/units.js';
import { Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { createTestHost } from '../../src/testing/index.js';
import { hanging, setup } from './helpers.js';

@Module({ name: 'never_answers' })
class NeverAnswers {
  constructor(api: ModuleApi) {
    api.registerThirdPartyRulesCallbacks({ on_new_event: () => new Promise<void>(() => {}) });
  }
}

const DAY = 86_400_000;

describe('callback deadline timers', () => {
  it('stop() clears the timer of a pending callback; a later run restarts it', async () => {
    const f = setup({ callbackTimeout: 30 * DAY });
    f.registry.register(f.mod(0), 'third_party_rules', { on_new_event: hanging([], 'a') });
    f.registry.seal();
    void f.registry.run(hostCategory('third_party_rules'), 'on_new_event', {}, new Map());
    expect(f.registry.timersRunning).to.equal(true);
    f.registry.stop();
    expect(f.registry.timersRunning).to.equal(false);
    f.registry.stop(); // idempotent
    void f.registry.run(hostCategory('third_party_rules'), 'on_new_event', {}, new Map());
    expect(f.registry.timersRunning).to.equal(true);
    f.registry.stop();
  });

  it('host.stop() stops the callback timers (callback_timeout 24d, a callback still pending)', async () => {
    const host = await createTestHost({
      modules: [{ module: NeverAnswers, config: {} }],
      callback_timeout: '24d',
    });
    void host.callbacks.run(hostCategory('third_party_rules'), 'on_new_event', {}, new Map());
    expect(host.callbacks.timersRunning).to.equal(true);
    await host.stop();
    expect(host.callbacks.timersRunning).to.equal(false);
  });

  it('the timer is unref’d: it does not appear among the handles keeping the process alive', () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const queue = new DeadlineQueue(DAY);
    queue.add(new CallbackWait(() => undefined));
    expect(queue.running).to.equal(true);
    const during = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    queue.stop();
    expect(during).to.equal(before);
  });

  it('a timeout longer than Node timers accept still gives a valid interval', () => {
    // 200 days / 8 is over 2^31-1 ms; unclamped, Node would fire it after 1 ms.
    const queue = new DeadlineQueue(200 * DAY);
    expect((queue as unknown as { tick: number }).tick).to.be.at.most(MAX_TIMER_MS);
    expect((queue as unknown as { tick: number }).tick).to.be.above(DAY);
  });

  it('a process with a pending callback (callback_timeout 30d) exits by itself after stop()', () => {
    const registryUrl = new URL('../../src/callbacks/registry.js', import.meta.url).href;
    const categoriesUrl = new URL('../../src/categories/synapse/index.js', import.meta.url).href;
    const loggerUrl = new URL('../../src/logging/logger.js', import.meta.url).href;
    const metricsUrl = new URL('../../src/metrics/registry.js', import.meta.url).href;
    const script = `
      import { CallbackRegistry } from ${JSON.stringify(registryUrl)};
      import { synapseCategories } from ${JSON.stringify(categoriesUrl)};
      import { createLogger } from ${JSON.stringify(loggerUrl)};
      import { createMetricsRegistry } from ${JSON.stringify(metricsUrl)};
      const registry = new CallbackRegistry({
        categories: synapseCategories,
        logger: createLogger({ level: 'silent', pretty: false }),
        metrics: createMetricsRegistry(),
        callbackTimeout: 30 * 86400000,
      });
      registry.register({ name: 'slow', index: 0 }, 'third_party_rules', {
        on_new_event: () => new Promise(() => {}),
      });
      registry.seal();
      void registry.run('third_party_rules', 'on_new_event', {}, new Map());
      if (!registry.timersRunning) throw new Error('expected a running deadline timer');
      registry.stop();
      console.log(JSON.stringify(process.getActiveResourcesInfo()));
    `;
    // The generous limit only guards against a hang: without the fix the child runs for days.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).to.equal('');
    expect(child.signal).to.equal(null);
    expect(child.status).to.equal(0);
    expect(JSON.parse(child.stdout)).to.not.include('Timeout');
  });
});
