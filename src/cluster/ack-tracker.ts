/**
 * The publisher's side of acknowledged invalidations: each published batch waits for every
 * member of the snapshot taken when it was published (see membership.ts) to acknowledge it, or
 * to drop out of the membership (its entry expired, so it has stopped using its caches itself).
 *
 * Acknowledgements are cumulative per receiver ("applied everything of yours up to seq N"):
 * messages from one publisher reach a subscriber in order, so one ack settles every earlier
 * batch, and a receiver sends at most one per publisher per tick however many batches it read.
 */

export interface AckWaiter {
  resolve(): void;
  reject(err: Error): void;
}

interface PendingAck {
  seq: number;
  caches: string[];
  waiters: AckWaiter[];
  /** Members of the snapshot that have neither acknowledged nor dropped out. */
  waiting: Set<string>;
  /** performance.now() before which the batch may not resolve (grace after a membership loss). */
  notBefore: number;
  timer: NodeJS.Timeout;
  graceTimer: NodeJS.Timeout | undefined;
}

export type NotAcknowledged = (caches: string[], peers: string[]) => Error;

export class AckTracker {
  /** By seq, in publishing order. */
  private readonly pending = new Map<number, PendingAck>();
  /** Highest seq each receiver acknowledged (acks may arrive before the publish reply does). */
  private readonly acked = new Map<string, number>();

  constructor(
    private readonly selfId: string,
    private readonly notAcknowledged: NotAcknowledged,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Batch `seq` was published while `members` were live; settles `waiters` when all applied it. */
  expect(
    seq: number,
    caches: string[],
    members: readonly string[],
    graceMs: number,
    waiters: AckWaiter[],
    timeoutMs: number,
  ): void {
    const waiting = new Set<string>();
    for (const member of members) {
      if (member !== this.selfId && (this.acked.get(member) ?? 0) < seq) waiting.add(member);
    }
    const entry: PendingAck = {
      seq,
      caches,
      waiters,
      waiting,
      notBefore: performance.now() + graceMs,
      timer: setTimeout(() => this.timedOut(entry), Math.max(0, timeoutMs)),
      graceTimer: undefined,
    };
    entry.timer.unref();
    if (graceMs > 0) {
      entry.graceTimer = setTimeout(() => this.settleIfDone(entry), graceMs);
      entry.graceTimer.unref();
    }
    this.pending.set(seq, entry);
    this.settleIfDone(entry);
  }

  /** `from` applied every batch up to `seq`. */
  ack(from: string, seq: number): void {
    if ((this.acked.get(from) ?? 0) >= seq) return;
    this.acked.set(from, seq);
    for (const entry of this.pending.values()) {
      if (entry.seq > seq) break;
      if (entry.waiting.delete(from)) this.settleIfDone(entry);
    }
  }

  /** The members live now (from a heartbeat): a waited-for member absent from it dropped out. */
  live(members: readonly string[]): void {
    const alive = new Set(members);
    for (const id of this.acked.keys()) if (!alive.has(id)) this.acked.delete(id);
    for (const entry of [...this.pending.values()]) {
      for (const id of entry.waiting) if (!alive.has(id)) entry.waiting.delete(id);
      this.settleIfDone(entry);
    }
  }

  /** Rejects every waiting batch (the bus stops). */
  failAll(reason: (caches: string[], peers: string[]) => Error): void {
    for (const entry of [...this.pending.values()]) this.finish(entry, reason);
  }

  private settleIfDone(entry: PendingAck): void {
    if (entry.waiting.size > 0 || !this.pending.has(entry.seq)) return;
    if (performance.now() < entry.notBefore) return; // the grace timer comes back
    this.finish(entry, undefined);
  }

  private timedOut(entry: PendingAck): void {
    if (!this.pending.has(entry.seq)) return;
    if (entry.waiting.size === 0) {
      // Only the grace after a membership loss was left: waiting longer proves nothing more.
      this.finish(entry, (caches) => this.notAcknowledged(caches, []));
      return;
    }
    this.finish(entry, this.notAcknowledged);
  }

  private finish(entry: PendingAck, failure: NotAcknowledged | undefined): void {
    this.pending.delete(entry.seq);
    clearTimeout(entry.timer);
    clearTimeout(entry.graceTimer);
    if (failure === undefined) {
      for (const waiter of entry.waiters) waiter.resolve();
      return;
    }
    const err = failure(entry.caches, [...entry.waiting].sort());
    for (const waiter of entry.waiters) waiter.reject(err);
  }
}
