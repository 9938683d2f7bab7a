/**
 * Per-module load metrics after real calls, for a module in process and the same module in
 * its worker: calls and requests in flight while the module holds them, time spent in them
 * once they finish, and an isolated worker's heap. Values are counts and byte sizes read from
 * a real scrape, never timings.
 */
import { expect } from 'chai';
import { getHeapStatistics } from 'node:v8';
import { createTestHost, type TestHost } from 'modhost/testing';
import { Metered } from '../fixtures/isolation/metered.js';
import { waitFor } from '../cluster/wait-for.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'test/fixtures/isolation/metered.ts';
const MiB = 2 ** 20;

/** The value of the series `name{labels...}` in a scrape, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const body = line.slice(name.length + 1, close);
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`)))
      return Number(line.slice(close + 1).trim());
  }
  return undefined;
}

for (const mode of ISOLATION_MODES) {
  describe(`per-module metrics (${mode})`, function () {
    this.timeout(60_000);
    let host: TestHost;
    before(async () => {
      host = await createTestHost({
        modules: [
          moduleEntry(
            mode,
            Metered,
            SOURCE,
            mode === 'worker' ? { resource_limits: { max_heap: '64M' } } : {},
          ),
        ],
      });
    });
    after(() => host?.stop());

    const get = async (sub: string) =>
      (await (
        await host.fetch(new Request(`http://x/_synapse/client/metered${sub}`))
      ).json()) as Record<string, number>;
    const scrape = () => host.metrics.metrics();
    const load = (text: string, metric: string, kind: string) =>
      sample(text, metric, { module: 'metered', kind });

    it('counts calls and requests in flight while the module holds them, then the time they took', async () => {
      const event = (body: string) =>
        host.callbacks.run('spam_checker', 'check_event_for_spam', { content: { body } } as never);
      const calls = [event('wait'), event('wait'), event('wait')];
      const requests = [get('/wait'), get('/wait')];
      await waitFor('five held in the module', async () => (await get('/waiting')).waiting === 5);

      let text = await scrape();
      expect(load(text, 'modhost_module_in_flight', 'callback')).to.equal(3);
      // The two held, and none of the /waiting polls (each answered before the scrape).
      expect(load(text, 'modhost_module_in_flight', 'request')).to.equal(2);

      expect((await get('/release')).released).to.equal(5);
      expect(await Promise.all(calls)).to.deep.equal(['NOT_SPAM', 'NOT_SPAM', 'NOT_SPAM']);
      expect(await Promise.all(requests)).to.deep.equal([{ waited: true }, { waited: true }]);
      expect(await event('spam')).to.not.equal('NOT_SPAM');

      text = await scrape();
      expect(load(text, 'modhost_module_in_flight', 'callback')).to.equal(0);
      expect(load(text, 'modhost_module_in_flight', 'request')).to.equal(0);
      expect(
        sample(text, 'modhost_callback_calls_total', {
          module: 'metered',
          callback: 'check_event_for_spam',
        }),
      ).to.equal(4);
      // Time was spent in both (how much is not the point: that it is counted per module).
      expect(load(text, 'modhost_module_busy_seconds_total', 'callback')).to.be.above(0);
      expect(load(text, 'modhost_module_busy_seconds_total', 'request')).to.be.above(0);
      // Never decreasing from one scrape to the next.
      const again = await scrape();
      for (const kind of ['callback', 'request'])
        expect(load(again, 'modhost_module_busy_seconds_total', kind)).to.be.at.least(
          load(text, 'modhost_module_busy_seconds_total', kind)!,
        );
    });

    if (mode === 'worker')
      it("reports the worker's heap: its limit from resource_limits, and memory the module keeps", async () => {
        const heap = async (what: string) =>
          sample(await scrape(), `modhost_module_worker_heap_${what}_bytes`, { module: 'metered' });
        const limit = await heap('limit');
        // max_heap 64M is the old generation's limit; V8 adds its young generation on top
        // (64 MiB more on Node 20 and 22, 192 MiB on 24 and 26), far below an unlimited heap.
        expect(limit)
          .to.be.at.least(64 * MiB)
          .and.below(Math.min(512 * MiB, getHeapStatistics().heap_size_limit));
        const before = (await heap('used'))!;
        for (let i = 0; i < 4; i++) await get('/keep');
        const after = (await heap('used'))!;
        expect(after - before).to.be.at.least(12 * MiB);
        expect(await heap('total')).to.be.at.least(after);
        const utilization = sample(await scrape(), 'modhost_module_worker_event_loop_utilization', {
          module: 'metered',
        });
        expect(utilization).to.be.within(0, 1);
      });
    else
      it('has no worker gauges for a module in process', async () => {
        const text = await scrape();
        expect(
          sample(text, 'modhost_module_worker_heap_used_bytes', { module: 'metered' }),
        ).to.equal(undefined);
      });
  });
}
