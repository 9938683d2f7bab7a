/**
 * Callback timeouts without a timer per call. Waits of one timeout length go into the current
 * bucket; a single interval ticks every eighth of the timeout and expires the bucket that has
 * waited long enough. A wait therefore expires after at least its timeout and at most one tick
 * (12.5%) more. Buckets are intrusive linked lists: a settled wait unlinks itself at once, so
 * nothing settled is retained. The interval runs only while waits are pending (it stops at the
 * first tick that finds none, and restarts on the next `add`), and it is unref'd: a pending
 * callback alone never keeps the process alive. `stop()` clears it at once (host shutdown).
 */

/** A bucket: a circular doubly linked list with itself as the sentinel. */
class Bucket {
  prev: Bucket | Wait = this;
  next: Bucket | Wait = this;

  get empty(): boolean {
    return this.next === this;
  }
}

/** One pending callback call; `settle()` when it finishes; `expire()` runs if it does not. */
export abstract class Wait {
  prev: Bucket | Wait | undefined;
  next: Bucket | Wait | undefined;

  abstract expire(): void;

  /** Unlinks the wait; expiry will not fire any more. */
  settle(): void {
    if (this.prev === undefined) return;
    this.prev.next = this.next!;
    this.next!.prev = this.prev;
    this.prev = this.next = undefined;
  }
}

/** A wait that calls `onExpire` when it expires. */
export class CallbackWait extends Wait {
  constructor(private readonly onExpire: () => void) {
    super();
  }

  expire(): void {
    this.onExpire();
  }
}

import { MAX_TIMER_MS } from '../config/units.js';

const TICKS_PER_TIMEOUT = 8;

export class DeadlineQueue {
  private readonly tick: number;
  private readonly depth: number;
  private current = new Bucket();
  private readonly aging: Bucket[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly timeoutMs: number) {
    // Clamped so that even an unvalidated huge timeout never overflows the interval to 1 ms.
    this.tick = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(timeoutMs / TICKS_PER_TIMEOUT)));
    this.depth = Math.ceil(timeoutMs / this.tick);
  }

  add(wait: Wait): void {
    const bucket = this.current;
    wait.prev = bucket.prev;
    wait.next = bucket;
    bucket.prev.next = wait;
    bucket.prev = wait;
    if (this.timer === undefined) this.timer = setInterval(() => this.onTick(), this.tick).unref();
  }

  /** Whether the interval is running (it runs only while waits may be pending). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Clears the interval. Waits still pending will expire only if the queue is used again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private onTick(): void {
    // A wait added before tick k joins `aging` at tick k and expires at tick k + depth, that is
    // more than depth * tick >= timeoutMs after it was added.
    this.aging.push(this.current);
    this.current = new Bucket();
    if (this.aging.length > this.depth) {
      const expired = this.aging.shift()!;
      while (!expired.empty) {
        const wait = expired.next as Wait;
        wait.settle();
        wait.expire();
      }
    }
    if (this.current.empty && this.aging.every((bucket) => bucket.empty)) {
      this.stop();
      this.aging.length = 0;
    }
  }
}

/** One queue per distinct timeout length. */
export class Deadlines {
  private readonly queues = new Map<number, DeadlineQueue>();

  queue(timeoutMs: number): DeadlineQueue {
    let q = this.queues.get(timeoutMs);
    if (q === undefined) this.queues.set(timeoutMs, (q = new DeadlineQueue(timeoutMs)));
    return q;
  }

  /** Whether any queue's interval is running. */
  get running(): boolean {
    for (const q of this.queues.values()) if (q.running) return true;
    return false;
  }

  /** Clears every queue's interval (they restart if callbacks run again). */
  stop(): void {
    for (const q of this.queues.values()) q.stop();
  }
}
