import type { Clock, TimerHandle } from './clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Lets microtasks (awaits in callbacks) settle between timers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A clock that only moves when told: `advance(ms)` runs every timer due, in order. */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Work in other threads (isolated modules' timer runs) that `advance` waits for. */
  private readonly settlers = new Set<() => Promise<void>>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Makes `advance` also wait for `settler` after each timer: an isolated module's timer run
   * finishes in its worker in real time, not within a few microtasks as in process, so without
   * this a test would see its effects only later. Returns the removal.
   */
  addSettler(settler: () => Promise<void>): () => void {
    this.settlers.add(settler);
    return () => this.settlers.delete(settler);
  }

  private async settle(): Promise<void> {
    await settle();
    if (this.settlers.size === 0) return;
    for (const settler of this.settlers) await settler();
    await settle();
  }

  /** Moves time forward by `ms`, firing due timers in time order and letting awaits settle. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await this.settle();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.fn();
      await this.settle();
    }
    this.current = target;
    await this.settle();
  }

  private nextDue(limit: number): Timer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) {
        best = t;
      }
    }
    return best;
  }
}
