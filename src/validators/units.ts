/** Durations and sizes, in the notation the host's own config accepts (src/config/units.ts). */
import type { ValidationOptions } from 'class-validator';
import { DURATION_HINT, SIZE_HINT, tryParseDuration, tryParseSize } from '../config/units.js';
import { rule } from './rule.js';

export interface RangeOptions {
  /** Smallest accepted value: ms / bytes, or a string in the same notation. */
  min?: number | string;
  /** Largest accepted value. */
  max?: number | string;
}

function ranged(
  name: string,
  parse: (v: unknown) => number | undefined,
  hint: string,
  range: RangeOptions,
  options?: ValidationOptions,
): PropertyDecorator {
  const min = range.min === undefined ? undefined : parse(range.min);
  const max = range.max === undefined ? undefined : parse(range.max);
  if (
    (range.min !== undefined && min === undefined) ||
    (range.max !== undefined && max === undefined)
  )
    throw new TypeError(`${name}: min and max must be ${hint}`);
  const bounds = [
    range.min !== undefined ? `at least ${range.min}` : '',
    range.max !== undefined ? `at most ${range.max}` : '',
  ].filter(Boolean);
  return rule(
    name,
    (value) => {
      const n = parse(value);
      return n !== undefined && (min === undefined || n >= min) && (max === undefined || n <= max);
    },
    bounds.length ? `${hint}, ${bounds.join(' and ')}` : hint,
    options,
  );
}

/**
 * A duration: milliseconds as a number, or a string such as `'500ms'`, `'5s'`, `'10m'`, `'5d'`.
 * Read it with `parseDuration(value)` from `modhost`.
 */
export function IsDuration(
  range: RangeOptions = {},
  options?: ValidationOptions,
): PropertyDecorator {
  return ranged('isDuration', tryParseDuration, DURATION_HINT, range, options);
}

/** A size: bytes as a number, or a string such as `'512K'`, `'10M'`, `'1G'` (powers of 1024). */
export function IsSize(range: RangeOptions = {}, options?: ValidationOptions): PropertyDecorator {
  return ranged('isSize', tryParseSize, SIZE_HINT, range, options);
}
