/**
 * A module entry's isolation keys: `isolation: worker | in-process`, and for isolated modules
 * `resource_limits`, `handler_timeout`, `supervision` and `call_polling`. The worker-only keys
 * on an in-process entry are a problem (they would silently do nothing).
 */
import type { ConfigPath } from '../errors/index.js';
import { needsSpecMessage, workerOnlyKeyMessage } from '../errors/isolation-messages.js';
import { durationCheck, enumCheck, readField, sizeCheck, type Check } from './field-checks.js';
import { type Mapping, type ProblemSink, readMapping } from './problem-sink.js';
import type { WorkerSettings } from './types.js';

export const ISOLATION_KEYS = [
  'isolation',
  'resource_limits',
  'handler_timeout',
  'supervision',
  'call_polling',
] as const;
export const ISOLATION_VALUES = ['in-process', 'worker'] as const;
const RESOURCE_LIMIT_KEYS = ['max_heap'];
const SUPERVISION_KEYS = ['max_restarts', 'restart_window', 'restart_backoff', 'blocked_timeout'];

/** Defaults of `supervision:` (documented in docs/configuration.md). */
export const SUPERVISION_DEFAULTS = {
  max_restarts: 5,
  restart_window: 60_000,
  restart_backoff: 100,
  blocked_timeout: 10_000,
} as const;

/**
 * `call_polling`'s default, µs: off. Polling pays where the two threads sit on different vCPUs
 * of a VM (a sequential call ~85 → ~20 µs) but costs about twice a sleeping call where they share
 * one, and which of the two happens is the scheduler's choice; so it is for a host to turn on
 * (100 covers the ~85 µs turnaround), not a default (docs/isolation.md#call-polling).
 */
export const DEFAULT_POLL_WINDOW_US = 0;
/** The largest `call_polling` a module entry may set, µs (a poll holds its thread this long). */
export const MAX_POLL_WINDOW_US = 1000;

/** `call_polling`: microseconds, a whole number from 0 (off) to MAX_POLL_WINDOW_US. */
const pollWindowCheck: Check<number> = {
  expected: `a whole number of microseconds from 0 (off) to ${MAX_POLL_WINDOW_US}`,
  parse: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_POLL_WINDOW_US
      ? v
      : undefined,
};

const countCheck: Check<number> = {
  expected: 'a whole number of 0 or more',
  parse: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined),
};

/** The entry's worker settings when `isolation: worker`, else undefined. */
export function readWorkerSettings(
  sink: ProblemSink,
  path: ConfigPath,
  m: Mapping,
): WorkerSettings | undefined {
  const isolation = readField(
    sink,
    path,
    m,
    'isolation',
    enumCheck(ISOLATION_VALUES),
    'in-process',
  );
  if (isolation === 'worker' && typeof m.module === 'function')
    sink.add([...path, 'module'], needsSpecMessage(m.module.name));
  if (isolation !== 'worker') {
    for (const key of ISOLATION_KEYS.slice(1))
      if (m[key] !== undefined && m[key] !== null)
        sink.add([...path, key], workerOnlyKeyMessage(key), 'key');
    return undefined;
  }
  const limitsPath = [...path, 'resource_limits'];
  const limits = readMapping(sink, limitsPath, m.resource_limits, RESOURCE_LIMIT_KEYS) ?? {};
  const max_heap = readField(sink, limitsPath, limits, 'max_heap', sizeCheck, undefined);
  const handler_timeout = readField(
    sink,
    path,
    m,
    'handler_timeout',
    durationCheck({ positive: true }),
    undefined,
  );
  const supPath = [...path, 'supervision'];
  const sup = readMapping(sink, supPath, m.supervision, SUPERVISION_KEYS) ?? {};
  const d = SUPERVISION_DEFAULTS;
  return {
    call_polling: readField(sink, path, m, 'call_polling', pollWindowCheck, DEFAULT_POLL_WINDOW_US),
    ...(max_heap !== undefined ? { max_heap } : {}),
    ...(handler_timeout !== undefined ? { handler_timeout } : {}),
    max_restarts: readField(sink, supPath, sup, 'max_restarts', countCheck, d.max_restarts),
    restart_window: readField(
      sink,
      supPath,
      sup,
      'restart_window',
      durationCheck({ positive: true }),
      d.restart_window,
    ),
    restart_backoff: readField(
      sink,
      supPath,
      sup,
      'restart_backoff',
      durationCheck(),
      d.restart_backoff,
    ),
    blocked_timeout: readField(
      sink,
      supPath,
      sup,
      'blocked_timeout',
      durationCheck({ positive: true }),
      d.blocked_timeout,
    ),
  };
}
