/**
 * User-space halt-polling for the isolation boundary, after KVM's adaptive halt-polling.
 *
 * Why: on a VM whose idle vCPUs halt (cpuidle haltpoll with guest_halt_poll_ns=0, or no guest
 * polling at all), a thread that sleeps in epoll_wait halts its vCPU, and waking a halted vCPU
 * with an IPI costs tens of µs. When the scheduler puts the host thread and a module's worker
 * on different vCPUs, every sequential call pays that twice (measured: ~80 µs instead of ~10 µs;
 * a bare MessagePort round trip pays exactly the same when its threads are split). Polling the
 * port for a short window, instead of sleeping, lets the other side's message be taken while
 * this thread is still awake.
 *
 * The policy (SpinWindow) is per side of a channel: a window of at most `max` µs that grows
 * when messages come shortly after the point where a poll would start, and goes to 0 when they
 * come far apart, so an idle module burns nothing. Polls that come back empty at the full
 * window, or during which the thread was descheduled, back off exponentially. Descheduled is
 * what polling looks like when both threads share one CPU (a loaded machine, or the scheduler
 * put them together): the other thread only runs by preempting the poller, so the poll is a sleep that cost more (the
 * catch is counted `yielded`, not `caught`). Not seen: the other thread's whole turn running
 * while this one posts, before its poll starts (the message is then there at the first look;
 * timing the post cannot tell that from a split pair's fast answer on a loaded VM): so a pair on
 * one CPU still polls, at about 5–8 µs a call over sleeping (measured with both threads pinned
 * to one vCPU), against about 65 µs saved a call when the pair is split. TurnBudget bounds how
 * long chained polls may keep the event loop from turning.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

/** The first window after a gap worth polling for, µs. */
const GROW_START_US = 10;
/** Messages further apart than this many windows are not worth polling for: window 0. */
const WORTH_POLLING = 2;
/**
 * A poll iteration that took this long means the thread was descheduled: another thread wanted
 * this CPU (the other thread of a pair on one CPU takes about 8 µs for its turn).
 */
const DESCHEDULED_MS = 0.004;
/** Most polling opportunities skipped after repeated empty or descheduled polls. */
const MAX_SKIP = 63;
/** How long chained polls may keep a thread's event loop from turning, ms. */
export const TURN_BUDGET_MS = 1;

/** What polls did, for metrics and tests. */
export interface PollStats {
  /** Polls started. */
  polls: number;
  /** Polls that took the message without the thread being descheduled: polling paid. */
  caught: number;
  /** Polls that took it only after the thread had been descheduled (the CPU was shared). */
  yielded: number;
  /** Polls whose window ran out with nothing. */
  missed: number;
  /** Polls stopped with nothing because the thread had been descheduled while polling. */
  descheduled: number;
}

export type PollOutcome = 'caught' | 'yielded' | 'missed' | 'descheduled';

export const emptyPollStats = (): PollStats => ({
  polls: 0,
  caught: 0,
  yielded: 0,
  missed: 0,
  descheduled: 0,
});

/** The adaptive window of one side (pure bookkeeping: tests drive it with explicit gaps). */
export class SpinWindow {
  /** µs the next poll lasts. */
  window = 0;
  readonly stats = emptyPollStats();
  private skip = 0;
  private failures = 0;

  /** `max` µs at most; 0 disables polling. */
  constructor(readonly max: number) {}

  /** µs to poll for now, or 0: disabled, nothing worth polling for, or backing off. */
  take(): number {
    if (this.window === 0) return 0;
    if (this.skip > 0) {
      this.skip--;
      return 0;
    }
    return this.window;
  }

  /** A poll ended so. */
  record(outcome: PollOutcome): void {
    this.stats.polls++;
    this.stats[outcome]++;
    if (outcome === 'caught') {
      this.failures = 0;
      return;
    }
    // A window still growing may miss: the arrival that follows grows it (as KVM's does).
    if (outcome === 'missed' && this.window < this.max) return;
    // Each failure in a row doubles the opportunities skipped before the next try; a poll that
    // was descheduled also starts over from a small window (the CPU is contended).
    this.failures++;
    this.skip = Math.min(MAX_SKIP, 2 ** this.failures - 1);
    if (outcome === 'descheduled' || outcome === 'yielded') this.window = 0;
  }

  /**
   * A message came by the ordinary path `gapUs` after the point where a poll would have started
   * (not caught by one): a gap the window could have covered grows it (doubling, up to `max`);
   * a longer one means messages are far apart, and the window goes to 0.
   */
  arrived(gapUs: number): void {
    if (this.max === 0) return;
    if (gapUs > WORTH_POLLING * this.max) this.window = 0;
    else if (gapUs > this.window)
      this.window = Math.min(this.max, this.window === 0 ? GROW_START_US : this.window * 2);
  }
}

/**
 * Takes messages from `port` for up to `windowUs` µs, passing each to `take` until it returns
 * true (the one waited for came). Returns how the poll ended.
 */
export function pollPort(
  port: MessagePort,
  windowUs: number,
  take: (message: unknown) => boolean,
): PollOutcome {
  let last = performance.now();
  const end = last + windowUs / 1000;
  let descheduled = false;
  for (;;) {
    const got = receiveMessageOnPort(port);
    if (got !== undefined) {
      if (take(got.message)) return descheduled ? 'yielded' : 'caught';
      last = performance.now();
      continue;
    }
    if (descheduled) return 'descheduled';
    const now = performance.now();
    // An empty look that took this long: the thread did not run for a while (a look that
    // finds a message is not timed: reading it costs µs of its own). One more look, then stop.
    if (now - last > DESCHEDULED_MS) descheduled = true;
    else if (now >= end) return 'missed';
    last = now;
  }
}

/**
 * Bounds chained polls within one turn of the event loop: a caller that calls again as soon as
 * an answer comes, taken each time by a poll, would otherwise never let timers and I/O run.
 */
export class TurnBudget {
  private since: number | undefined;
  private readonly reset = () => {
    this.since = undefined;
  };

  /** Whether a poll may start now. */
  allows(): boolean {
    const now = performance.now();
    if (this.since === undefined) {
      this.since = now;
      setImmediate(this.reset);
      return true;
    }
    return now - this.since < TURN_BUDGET_MS;
  }
}
