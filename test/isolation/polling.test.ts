/**
 * Call polling (src/isolation/halt-poll.ts): the adaptive window's bookkeeping, driven with
 * explicit gaps; and, with real worker threads, that sequential calls are polled for (the
 * counters account for every poll), that nothing polls while other calls are in flight, that
 * a log line sent before an answer still comes before it, and that `call_polling: 0` polls
 * never. Counted, never timed: which polls catch depends on the machine, so the tests check
 * the accounting and the cases where polling must not happen at all.
 */
import { expect } from 'chai';
import { createTestHost, type TestHost } from 'modhost/testing';
import { SpinWindow } from '../../src/isolation/halt-poll.js';
import { builtFixture } from '../helpers/paths.js';

const METERED = `${builtFixture('isolation/metered.js')}#Metered`;
const POLLED = `${builtFixture('isolation/polled.js')}#Polled`;

type Counts = Record<string, number>;

/** The module's poll counters from /metrics, as `side.outcome` → count. */
async function polls(host: TestHost, module: string): Promise<Counts> {
  const counts: Counts = {};
  for (const line of (await host.metrics.metrics()).split('\n')) {
    const m = /^modhost_module_call_polls_total\{(.*)\} (\d+)$/.exec(line);
    if (m === null || !m[1]!.includes(`module="${module}"`)) continue;
    const side = /side="(\w+)"/.exec(m[1]!)![1]!;
    const outcome = /outcome="(\w+)"/.exec(m[1]!)![1]!;
    counts[`${side}.${outcome}`] = Number(m[2]);
  }
  return counts;
}

const OUTCOMES = ['caught', 'yielded', 'missed', 'descheduled'];
const total = (c: Counts, side: string) =>
  OUTCOMES.reduce((n, outcome) => n + (c[`${side}.${outcome}`] ?? 0), 0);
/** Polls that took the message they waited for (whether or not the thread was descheduled). */
const took = (c: Counts, side: string) => (c[`${side}.caught`] ?? 0) + (c[`${side}.yielded`] ?? 0);

const event = (body: string | number) => ({
  type: 'm.room.message',
  sender: '@a:x',
  room_id: '!r:x',
  content: { body },
});

describe('isolation: call polling', function () {
  this.timeout(60_000);

  describe('the adaptive window', () => {
    it('starts at 0 and grows, doubling up to its max, while messages come within reach', () => {
      const w = new SpinWindow(100);
      expect(w.take()).to.equal(0);
      w.arrived(150); // within twice the max: worth polling for
      expect(w.take()).to.equal(10);
      for (const expected of [20, 40, 80, 100, 100]) {
        w.arrived(w.window + 1); // would have been caught by a longer poll
        expect(w.take()).to.equal(expected);
      }
      w.arrived(50); // came within the window: no change
      expect(w.take()).to.equal(100);
    });

    it('goes to 0 after a gap too long to poll for, so an idle module burns nothing', () => {
      const w = new SpinWindow(100);
      for (let i = 0; i < 5; i++) w.arrived(150);
      expect(w.take()).to.be.greaterThan(0);
      w.arrived(201);
      expect(w.window).to.equal(0);
      for (let i = 0; i < 10; i++) expect(w.take()).to.equal(0);
    });

    it('backs off exponentially after full-window polls that catch nothing, and starts over after a catch', () => {
      const w = new SpinWindow(100);
      w.arrived(150);
      w.record('missed'); // still growing: no back-off, the next arrival doubles it
      expect(w.take()).to.equal(10);
      for (let i = 0; i < 4; i++) w.arrived(w.window + 1);
      expect(w.window).to.equal(100);
      const skipped = () => {
        let n = 0;
        while (w.take() === 0) n++;
        return n;
      };
      w.record('missed');
      expect(skipped()).to.equal(1);
      w.record('missed');
      expect(skipped()).to.equal(3);
      w.record('missed');
      expect(skipped()).to.equal(7);
      w.record('caught');
      w.record('missed');
      expect(skipped()).to.equal(1);
      expect(w.stats).to.deep.equal({ polls: 6, caught: 1, yielded: 0, missed: 5, descheduled: 0 });
    });

    it('drops the window when a poll was descheduled (the CPU is wanted by another thread)', () => {
      for (const outcome of ['descheduled', 'yielded'] as const) {
        const w = new SpinWindow(100);
        for (let i = 0; i < 5; i++) w.arrived(w.window + 1);
        w.record(outcome);
        expect(w.window).to.equal(0);
        expect(w.take()).to.equal(0);
      }
    });

    it('never polls with max 0', () => {
      const w = new SpinWindow(0);
      for (let i = 0; i < 5; i++) w.arrived(1);
      expect(w.take()).to.equal(0);
    });
  });

  describe('with a worker thread', () => {
    let host: TestHost | undefined;
    afterEach(async () => {
      await host?.stop();
      host = undefined;
    });

    it('polls for sequential calls on both sides, and every poll is accounted for', async () => {
      host = await createTestHost({
        modules: [{ module: METERED, isolation: 'worker', call_polling: 1000 }],
      });
      // Which polls take their message depends on the machine: rounds of 300 calls until one did
      // on the host side (bounded), every call answered right whichever way its answer came.
      let calls = 0;
      let c: Counts = {};
      for (let round = 0; round < 10 && (round === 0 || took(c, 'host') === 0); round++) {
        for (let i = 0; i < 300; i++, calls++) {
          const spam = i % 7 === 0;
          const verdict = await host.callbacks.run(
            'spam_checker',
            'check_event_for_spam',
            event(spam ? 'spam' : 'x'),
          );
          expect(verdict).to.deep.equal(spam ? ['M_FORBIDDEN', {}] : 'NOT_SPAM');
        }
        c = await polls(host, 'metered');
      }
      expect(took(c, 'host')).to.be.greaterThan(0);
      expect(total(c, 'worker')).to.be.greaterThan(0);
      // At most one poll per call on each side (a poll is for one answer, or one next call).
      expect(total(c, 'host')).to.be.at.most(calls);
      expect(total(c, 'worker')).to.be.at.most(calls);
    });

    it('does not poll while another call is in flight, on either side', async () => {
      host = await createTestHost({
        modules: [{ module: METERED, isolation: 'worker', call_polling: 1000 }],
      });
      const run = (body: string) =>
        host!.callbacks.run('spam_checker', 'check_event_for_spam', event(body));
      for (let i = 0; i < 50; i++) await run('x'); // the windows grow
      const held = run('wait');
      const waiting = async () =>
        (
          (await (
            await host!.fetch(new Request('http://x/_synapse/client/metered/waiting'))
          ).json()) as { waiting: number }
        ).waiting;
      while ((await waiting()) === 0);
      const before = await polls(host, 'metered');
      for (let i = 0; i < 100; i++) await run(i % 2 ? 'spam' : 'x');
      await Promise.all(Array.from({ length: 20 }, () => run('x')));
      const after = await polls(host, 'metered');
      expect(total(after, 'host')).to.equal(total(before, 'host'));
      expect(total(after, 'worker')).to.equal(total(before, 'worker'));
      await host.fetch(new Request('http://x/_synapse/client/metered/release'));
      expect(await held).to.equal('NOT_SPAM');
    });

    it('keeps a log line sent before an answer ahead of it', async () => {
      host = await createTestHost({
        modules: [{ module: POLLED, isolation: 'worker', call_polling: 1000 }],
      });
      for (let n = 0; n < 200; n++) {
        await host.callbacks.run('spam_checker', 'check_event_for_spam', event(n));
        const checked = host.logs.filter((r) => r.msg === 'checked');
        expect(checked.length).to.equal(n + 1);
        expect(checked[n]!.n).to.equal(n);
      }
      expect(total(await polls(host, 'polled'), 'host')).to.be.greaterThan(0);
    });

    it('never polls with call_polling: 0', async () => {
      host = await createTestHost({
        modules: [{ module: METERED, isolation: 'worker', call_polling: 0 }],
      });
      for (let i = 0; i < 100; i++)
        await host.callbacks.run('spam_checker', 'check_event_for_spam', event('x'));
      expect(await polls(host, 'metered')).to.deep.equal({});
    });
  });
});
