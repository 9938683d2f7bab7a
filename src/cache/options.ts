/** Validates and normalises the options of one cache (from @Cached or cachedFunction). */
import type { CachedOptions } from '../../decorators/metadata.js';
import { tryParseDuration } from '../config/units.js';
import { describeValue, invalidOption } from '../errors/cache-messages.js';

export type KeyFunction = (...args: any[]) => unknown[];

export interface CacheSettings {
  name: string;
  /** As requested, before any configured factor. */
  maxEntries: number;
  /** Number of key parts; undefined with a `key` function until its first result fixes it. */
  depth: number | undefined;
  tree: boolean;
  iterable: boolean;
  /** ms; 0 means entries never expire. */
  ttl: number;
  key: KeyFunction | undefined;
}

export const DEFAULT_MAX_ENTRIES = 1000;

const KNOWN = new Set(['maxEntries', 'numArgs', 'tree', 'iterable', 'ttl', 'name', 'key']);

/**
 * `declaredParams` is the default number of key arguments; `paramsExact` says it is the real
 * count (tsc's metadata), not `Function.length`, which stops at the first defaulted parameter.
 */
export function resolveOptions(
  name: string,
  options: CachedOptions,
  declaredParams: number,
  paramsExact = false,
): CacheSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOption(name, 'object', `must be an object, got ${describeValue(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k))
      throw invalidOption(name, k, `is unknown; valid options are ${[...KNOWN].join(', ')}`);
  }
  const {
    maxEntries = DEFAULT_MAX_ENTRIES,
    numArgs,
    tree = false,
    iterable = false,
    ttl,
    key,
  } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw invalidOption(
      name,
      'maxEntries',
      `must be a positive integer, got ${String(maxEntries)}`,
    );
  }
  if (numArgs !== undefined && (!Number.isInteger(numArgs) || numArgs < 0)) {
    throw invalidOption(name, 'numArgs', `must be a non-negative integer, got ${String(numArgs)}`);
  }
  // Synapse refuses too: "Not enough explicit positional arguments to key off".
  if (paramsExact && numArgs !== undefined && key === undefined && numArgs > declaredParams) {
    throw invalidOption(
      name,
      'numArgs',
      `is ${numArgs} but the method declares ${declaredParams} parameter${declaredParams === 1 ? '' : 's'}; keys are made of declared parameters, so use at most ${declaredParams} or pass a \`key\` function`,
    );
  }
  if (typeof tree !== 'boolean') throw invalidOption(name, 'tree', 'must be a boolean');
  if (typeof iterable !== 'boolean') throw invalidOption(name, 'iterable', 'must be a boolean');
  if (key !== undefined && typeof key !== 'function') {
    throw invalidOption(
      name,
      'key',
      `must be a function returning the key parts, got ${describeValue(key)}`,
    );
  }
  let ttlMs = 0;
  if (ttl !== undefined) {
    const parsed = tryParseDuration(ttl);
    if (parsed === undefined || parsed <= 0) {
      throw invalidOption(
        name,
        'ttl',
        `must be a positive number of milliseconds or a duration such as '500ms' or '5m', got ${JSON.stringify(ttl)}`,
      );
    }
    ttlMs = parsed;
  }
  const depth = numArgs ?? (key ? undefined : declaredParams);
  if (tree && depth !== undefined && depth < 2) {
    throw invalidOption(
      name,
      'tree',
      `needs at least 2 key parts (this cache has ${depth}); set numArgs or drop tree`,
    );
  }
  return { name, maxEntries, depth, tree, iterable, ttl: ttlMs, key };
}

/** maxEntries scaled by the cache's factor, never below 1. */
export function scaledMaxEntries(maxEntries: number, factor: number): number {
  return Math.max(1, Math.floor(maxEntries * factor));
}
