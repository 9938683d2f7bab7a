/**
 * Which module's code the main thread is running, kept where the watchdog thread can read it
 * while the main thread is blocked: a few integers in shared memory. Dispatch marks the module
 * code it enters (a callback, a web handler, a background task, a lifecycle hook) with an id
 * registered beforehand; entering and leaving are two plain integer stores, cheap enough for the
 * callback hot path, and nothing is allocated or timed per call.
 *
 * Only the synchronous part of a call is marked: code that an async function runs after an
 * `await` runs later, from the microtask queue. A loop blocked there shows no current activity,
 * and the watchdog names the module entered last instead (and says so).
 */
export interface ActivityLabel {
  module: string;
  /** callback | resource | task | hook */
  kind: string;
  /** `spam_checker.check_event_for_spam`, a path, a task's description, `onStart`. */
  name: string;
}

const CURRENT = 0;
const LAST = 1;
/** Bumped by the main thread's heartbeat timer; the watchdog sees it stop changing. */
export const BEAT = 2;

/** Shared with the watchdog thread (see watchdog.ts). */
export const activityState = new Int32Array(new SharedArrayBuffer(3 * 4));

const labels: ActivityLabel[] = [{ module: '', kind: '', name: '' }];
const listeners = new Set<(id: number, label: ActivityLabel) => void>();

/** Registers a piece of module code once (at wiring) and returns the id dispatch marks it with. */
export function activityId(label: ActivityLabel): number {
  const id = labels.push(label) - 1;
  for (const listener of listeners) listener(id, label);
  return id;
}

const byKey = new Map<string, number>();
/** Beyond this many distinct labels, further ones share their module's generic label. */
const MAX_LABELS = 10_000;

/**
 * The id for a label that recurs (a background task's name, a lifecycle hook): registered on
 * first use, reused after. Bounded, since task descriptions may be built from data.
 */
export function recurringActivityId(label: ActivityLabel): number {
  const key = `${label.module}\0${label.kind}\0${label.name}`;
  let id = byKey.get(key);
  if (id !== undefined) return id;
  if (byKey.size >= MAX_LABELS) {
    if (label.name === '*') return 0;
    return recurringActivityId({ ...label, name: '*' });
  }
  id = activityId(label);
  byKey.set(key, id);
  return id;
}

/** Every label so far, then each new one as it is registered; returns the unsubscribe. */
export function watchLabels(listener: (id: number, label: ActivityLabel) => void): () => void {
  labels.forEach((label, id) => id > 0 && listener(id, label));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Marks `id` as running; returns what was running before, for `leaveActivity`. */
export function enterActivity(id: number): number {
  const previous = activityState[CURRENT]!;
  activityState[CURRENT] = id;
  activityState[LAST] = id;
  return previous;
}

export function leaveActivity(previous: number): void {
  activityState[CURRENT] = previous;
}

export const ACTIVITY_SLOTS = { CURRENT, LAST, BEAT } as const;
