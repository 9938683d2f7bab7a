/**
 * How cache invalidations reach the other instances of a deployment. The local bus (single
 * instance) delivers nothing; the Redis bus publishes over pub/sub.
 */
export interface InvalidationMessage {
  /** The cache's registered name, `module.method`. */
  cache: string;
  /** Keys to invalidate (each the list of key parts, types preserved); absent with `all`. */
  keys?: unknown[][];
  /** Invalidate the whole cache. */
  all?: boolean;
}

export type BusState = 'connected' | 'disconnected';

export interface InvalidationBus {
  readonly kind: 'local' | 'redis';
  /** `connected` for the local bus; for Redis, whether pub/sub is live now. */
  readonly state: BusState;
  /**
   * Sends to every other instance (batched per tick by the Redis bus). Throws at once for a bad
   * message; a returned promise settles when the transport confirmed (or failed) delivery.
   */
  publish(message: InvalidationMessage): Promise<void> | void;
  /**
   * Messages from other instances (never this one's own). A handler that applies the message
   * elsewhere (an isolated module's worker) returns a promise settled once applied: the Redis
   * bus acknowledges a batch only after every handler's promise settled.
   */
  onMessage(handler: (message: InvalidationMessage) => void | Promise<unknown>): void;
  /** Called on every change of state; on `connected` after a gap, caches must be cleared. */
  onStateChange(handler: (state: BusState) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  describe(): string;
  /**
   * Re-checks this instance's deadlines synchronously (called before every request is handled):
   * a process resumed after being frozen reads its sockets before its timers run, so it must
   * not answer from a cache it stopped being entitled to while frozen.
   */
  verify?(): void;
  /** Whether the shared server answers now, as a sentence (`modhost check`); never throws. */
  probe?(): Promise<{ reachable: boolean; detail: string }>;
}

export class LocalBus implements InvalidationBus {
  readonly kind = 'local';
  readonly state = 'connected';
  publish(): void {}
  onMessage(): void {}
  onStateChange(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  describe(): string {
    return 'local (single instance)';
  }
}
