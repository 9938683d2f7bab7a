/** The messages between the host and its watchdog thread (both directions, in one place). */
import type { ActivityLabel } from './activity.js';

export interface WatchdogOptions {
  /** ms */
  blockedTimeout: number;
  exit: boolean;
  /** How often the watchdog looks, ms (the main thread beats at the same pace). */
  checkEvery: number;
  instance: string;
  /** Shared activity state (activity.ts). */
  state: SharedArrayBuffer;
}

/** Host → watchdog. */
export type ToWatchdog = { type: 'label'; id: number; label: ActivityLabel } | { type: 'stop' };

/** What the watchdog saw; sent when the block begins (read once the loop runs again) and ends. */
export interface BlockReport {
  /** ms the loop had been blocked when reported / in all. */
  blockedMs: number;
  /** The code marked as running, or undefined when nothing was marked (see activity.ts). */
  running?: ActivityLabel;
  /** The module code entered last, when nothing is marked as running. */
  lastEntered?: ActivityLabel;
}

/** Watchdog → host. */
export type FromWatchdog =
  ({ type: 'blocked' } & BlockReport) | ({ type: 'unblocked' } & BlockReport);

/** The sentence both sides log. */
export function describeBlock(report: BlockReport, still: boolean): string {
  const ms = Math.round(report.blockedMs);
  const head = still ? `event loop blocked for ${ms} ms` : `event loop was blocked for ${ms} ms`;
  if (report.running) {
    const { module, kind, name } = report.running;
    return `${head} by module ${module} (${kind} ${name})`;
  }
  if (report.lastEntered) {
    const { module, kind, name } = report.lastEntered;
    return `${head}, outside any module call's synchronous part; the module code entered last was ${module} (${kind} ${name}), which may be running after an await`;
  }
  return `${head}, outside module code`;
}
