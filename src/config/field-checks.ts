/**
 * Checks for single configuration values: each says what it expects (for the message) and
 * turns an accepted value into its validated form (ms, bytes, a normalised URL).
 */
import { isIP } from 'node:net';
import type { ConfigPath } from '../errors/index.js';
import { expectedFound } from '../errors/config-messages.js';
import {
  DURATION_HINT,
  MAX_TIMER_MS,
  MAX_TIMER_TEXT,
  SIZE_HINT,
  tryParseDuration,
  tryParseSize,
} from './units.js';
import type { Mapping, ProblemSink } from './problem-sink.js';

export interface Check<T> {
  /** What is expected, as a noun phrase: "an integer from 0 to 65535". */
  expected: string;
  /** The validated value, or undefined when `value` is not acceptable. */
  parse(value: unknown): T | undefined;
  /** An extra hint for a rejected value ("put the port in server.port"). */
  hint?(value: unknown): string | undefined;
}

/**
 * Reads `mapping[key]` with `check`; absent (or null) gives `fallback`, a bad value is a
 * problem (and gives `fallback`, so validation goes on and finds the other problems).
 */
export function readField<T, F>(
  sink: ProblemSink,
  path: ConfigPath,
  mapping: Mapping,
  key: string,
  check: Check<T>,
  fallback: F,
): T | F {
  const value = mapping[key];
  if (value === undefined || value === null) return fallback;
  return checkValue(sink, [...path, key], value, check) ?? fallback;
}

/** `check` applied to `value` at `path`; a rejected value is reported and gives undefined. */
export function checkValue<T>(
  sink: ProblemSink,
  path: ConfigPath,
  value: unknown,
  check: Check<T>,
): T | undefined {
  const parsed = check.parse(value);
  if (parsed === undefined) {
    const hint = check.hint?.(value);
    sink.add(path, expectedFound(check.expected, value, path) + (hint ? `; ${hint}` : ''));
  }
  return parsed;
}

export const booleanCheck: Check<boolean> = {
  expected: 'true or false',
  parse: (v) => (typeof v === 'boolean' ? v : undefined),
  hint: (v) =>
    typeof v === 'string' && /^(yes|no|on|off|true|false)$/i.test(v)
      ? 'write true or false without quotes'
      : undefined,
};

export const portCheck: Check<number> = {
  expected: 'a port number (an integer from 0 to 65535; 0 picks a free port)',
  parse: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : undefined,
  hint: (v) =>
    typeof v === 'string' && /^\d+$/.test(v) ? 'write the number without quotes' : undefined,
};

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export const bindCheck: Check<string> = {
  expected: 'an IP address or host name to listen on, such as 127.0.0.1, ::1 or 0.0.0.0',
  parse: (v) => {
    if (typeof v !== 'string') return undefined;
    if (isIP(v) !== 0) return v;
    // Dotted numbers that are not an IPv4 address (999.1.1.1) are typos, not host names.
    return HOSTNAME.test(v) && !/^[\d.]+$/.test(v) ? v : undefined;
  },
  hint: (v) => {
    if (typeof v !== 'string') return undefined;
    if (/^\[.*\]$/.test(v)) return 'write an IPv6 address without brackets';
    if (/:\d+$/.test(v) && isIP(v) === 0) return 'put the port in the port setting, not in bind';
    return undefined;
  },
};

/**
 * A duration. Every duration setting of the host ends up in a Node.js timer, so it is capped at
 * MAX_TIMER_MS: a longer one would silently fire after 1 ms.
 */
export function durationCheck(options: { positive?: boolean } = {}): Check<number> {
  return {
    expected: options.positive ? `a positive ${DURATION_HINT.slice(2)}` : DURATION_HINT,
    parse: (v) => {
      const ms = tryParseDuration(v);
      if (ms === undefined || ms > MAX_TIMER_MS) return undefined;
      return options.positive && ms === 0 ? undefined : ms;
    },
    hint: (v) => {
      const ms = tryParseDuration(v);
      if (ms !== undefined && ms > MAX_TIMER_MS) return `the maximum is ${MAX_TIMER_TEXT}`;
      return typeof v === 'string' && /^\d+(\.\d+)?\s*[a-z]+$/i.test(v.trim())
        ? 'units are ms, s, m, h, d, w, y'
        : undefined;
    },
  };
}

export const sizeCheck: Check<number> = {
  expected: `a positive ${SIZE_HINT.slice(2)}`,
  parse: (v) => {
    const bytes = tryParseSize(v);
    return bytes === undefined || bytes === 0 ? undefined : bytes;
  },
  hint: (v) =>
    typeof v === 'string' && /^\d+(\.\d+)?\s*[a-z]+$/i.test(v.trim())
      ? 'units are K, M, G (powers of 1024)'
      : undefined,
};

export const positiveNumberCheck: Check<number> = {
  expected: 'a positive number',
  parse: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined),
  hint: (v) =>
    typeof v === 'string' && Number(v) > 0 ? 'write the number without quotes' : undefined,
};

/** A non-empty string without whitespace (instance and channel names travel in messages). */
export const nameCheck: Check<string> = {
  expected: 'a non-empty name without spaces',
  parse: (v) => (typeof v === 'string' && /^\S+$/.test(v) ? v : undefined),
};

export function enumCheck<T extends string>(values: readonly T[]): Check<T> {
  return {
    expected: `one of ${values.join(', ')}`,
    parse: (v) => (values.includes(v as T) ? (v as T) : undefined),
  };
}

function parseUrl(v: unknown): URL | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

/** An http(s) base URL; a missing trailing '/' is added, as Synapse does. */
export const baseUrlCheck: Check<string> = {
  expected: "an http:// or https:// URL such as 'https://example.com/'",
  parse: (v) => {
    const url = parseUrl(v);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
      return undefined;
    const text = v as string;
    return text.endsWith('/') ? text : `${text}/`;
  },
  hint: (v) => {
    const url = parseUrl(v);
    if (url && (url.search !== '' || url.hash !== '')) return 'remove the query or fragment';
    if (url && (url.username !== '' || url.password !== ''))
      return 'remove the user name and password';
    return undefined;
  },
};

export const redisUrlCheck: Check<string> = {
  expected: "a redis:// or rediss:// URL such as 'redis://127.0.0.1:6379'",
  parse: (v) => {
    const url = parseUrl(v);
    if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) return undefined;
    return url.hostname !== '' ? (v as string) : undefined;
  },
};

export const postgresUrlCheck: Check<string> = {
  expected:
    "a postgres:// or postgresql:// URL such as 'postgres://modhost@127.0.0.1:5432/modhost'",
  parse: (v) => {
    const url = parseUrl(v);
    if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) return undefined;
    return url.hostname !== '' ? (v as string) : undefined;
  },
};

/** A file-system path (relative ones resolve against the config file's directory). */
export const filePathCheck: Check<string> = {
  expected: "a directory path such as './data'",
  parse: (v) => (typeof v === 'string' && v.trim() !== '' ? v : undefined),
};

export const positiveIntegerCheck: Check<number> = {
  expected: 'a positive whole number',
  parse: (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined),
  hint: (v) =>
    typeof v === 'string' && Number(v) > 0 ? 'write the number without quotes' : undefined,
};

export const pathPrefixCheck: Check<string> = {
  expected: "an absolute URL path such as '/_matrix/client'",
  parse: (v) => (typeof v === 'string' && v.startsWith('/') && !/\s/.test(v) ? v : undefined),
};

/** A list whose items all pass `check`; each bad item is its own problem. */
export function readList<T>(
  sink: ProblemSink,
  path: ConfigPath,
  mapping: Mapping,
  key: string,
  check: Check<T>,
  fallback: T[],
): T[] {
  const value = mapping[key];
  if (value === undefined || value === null) return fallback;
  const listPath = [...path, key];
  if (!Array.isArray(value)) {
    sink.add(listPath, expectedFound(`a list, each item ${check.expected}`, value, listPath));
    return fallback;
  }
  const out: T[] = [];
  value.forEach((item: unknown, index) => {
    const parsed = checkValue(sink, [...listPath, index], item, check);
    if (parsed !== undefined) out.push(parsed);
  });
  return out;
}
