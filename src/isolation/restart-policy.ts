/**
 * When to rebuild a failed isolated module: at most `max_restarts` within `restart_window`,
 * each after a delay that doubles from `restart_backoff` (capped), as Erlang/OTP supervisors
 * and systemd's StartLimitBurst do.
 */
import type { WorkerSettings } from '../config/types.js';

/** No wait between restarts is longer than this. */
export const MAX_BACKOFF_MS = 30_000;

export class RestartPolicy {
  private readonly recent: number[] = [];

  constructor(
    private readonly settings: Pick<
      WorkerSettings,
      'max_restarts' | 'restart_window' | 'restart_backoff'
    >,
  ) {}

  /** The delay before the next restart, or undefined when the module must stay down. */
  next(now: number): number | undefined {
    const { max_restarts, restart_window, restart_backoff } = this.settings;
    while (this.recent.length > 0 && now - this.recent[0]! > restart_window) this.recent.shift();
    if (this.recent.length >= max_restarts) return undefined;
    const delay = Math.min(restart_backoff * 2 ** this.recent.length, MAX_BACKOFF_MS);
    this.recent.push(now);
    return delay;
  }

  /** Restarts counted in the current window. */
  get count(): number {
    return this.recent.length;
  }
}
