/**
 * Who runs the background tasks, as the task runner and scheduler see it. A fixed answer
 * (`instance.run_background_tasks: true | false`) is a StaticGate; `auto` is the Redis lease
 * (lease.ts), imported only when a configuration uses it.
 */
/** Whether this instance may run background tasks now, and when that changes. */
export interface BackgroundGate {
  readonly mode: 'static' | 'auto';
  /** Checked right before every run: false as soon as the local lease deadline passed. */
  holds(): boolean;
  /** Called with the new answer whenever `holds()` changes; returns an unsubscribe function. */
  onChange(handler: (holds: boolean) => void): () => void;
  describe(): LeaseDescription;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Reads the current holder from the shared store (`modhost inspect`); bounded, never throws. */
  probe?(): Promise<void>;
}

export interface LeaseDescription {
  mode: 'static' | 'auto';
  /** Whether this instance runs background tasks now. */
  holds: boolean;
  /** The holder last seen in Redis (`<instance>:<random>`), when known. */
  holder?: string;
  /** This instance's fencing token while it holds the lease. */
  token?: number;
  ttlMs?: number;
}

export class StaticGate implements BackgroundGate {
  readonly mode = 'static';
  constructor(private readonly value: boolean) {}
  holds(): boolean {
    return this.value;
  }
  onChange(): () => void {
    return () => {};
  }
  describe(): LeaseDescription {
    return { mode: 'static', holds: this.value };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
