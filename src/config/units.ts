/**
 * Durations and sizes as the reference accepts them: numbers are milliseconds (durations) or
 * bytes (sizes); strings carry a unit: `500ms`, `5s`, `10m`, `2h`, `5d`, `1w`, `1y`;
 * `512`, `10K`, `5M`, `1G` (powers of 1024, as Synapse's config).
 */
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y)$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMG]?)B?$/i;

/** Milliseconds, or undefined when `value` is not a duration. */
export function tryParseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value.trim());
  return m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : undefined;
}

/** Bytes, or undefined when `value` is not a size. */
export function tryParseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value.trim());
  return m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!) : undefined;
}

/**
 * The longest delay Node.js timers accept (2^31-1 ms, about 24.8 days); a longer one fires after
 * 1 ms instead. Every duration that ends up in a timer must be at most this.
 */
export const MAX_TIMER_MS = 2_147_483_647;
export const MAX_TIMER_TEXT = `24d (${MAX_TIMER_MS} ms, the longest delay Node.js timers accept)`;

export const DURATION_HINT =
  "a duration: milliseconds, or a string such as '500ms', '5s', '10m', '5d'";
export const SIZE_HINT = "a size: bytes, or a string such as '512K', '10M', '1G'";

/** Milliseconds; throws a TypeError naming `what` when the value is not a duration. */
export function parseDuration(value: unknown, what = 'duration'): number {
  const ms = tryParseDuration(value);
  if (ms === undefined)
    throw new TypeError(`${what} must be ${DURATION_HINT}, got ${JSON.stringify(value)}`);
  return ms;
}

export function parseSize(value: unknown, what = 'size'): number {
  const bytes = tryParseSize(value);
  if (bytes === undefined)
    throw new TypeError(`${what} must be ${SIZE_HINT}, got ${JSON.stringify(value)}`);
  return bytes;
}
