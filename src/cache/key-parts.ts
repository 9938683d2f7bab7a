/**
 * Key parts: primitives compared by type and value (Map's SameValueZero, so `1` and `"1"` are
 * different keys) that survive the trip to other instances. Objects and functions are refused
 * because identity cannot cross processes; a `key` option derives primitive parts from them.
 */
import {
  bareKeyAmbiguous,
  keyFunctionResult,
  type KeySource,
  keyLength,
  unsupportedKeyPart,
} from '../errors/cache-messages.js';

export function isKeyPart(value: unknown): boolean {
  const t = typeof value;
  return (
    t === 'string' ||
    t === 'number' ||
    t === 'boolean' ||
    t === 'undefined' ||
    t === 'bigint' ||
    value === null
  );
}

/** Throws naming the first unsupported part among the first `count` parts, and where it came from. */
export function checkKeyParts(
  cache: string,
  parts: readonly unknown[],
  count: number,
  source: KeySource = 'call',
): void {
  for (let i = 0; i < count; i++) {
    if (!isKeyPart(parts[i])) throw unsupportedKeyPart(cache, i, parts[i], source);
  }
}

/** Checks what a `key` option returned. */
export function checkKeyFunctionResult(cache: string, result: unknown): unknown[] {
  if (!Array.isArray(result)) throw keyFunctionResult(cache, result);
  checkKeyParts(cache, result, result.length, 'key-option');
  return result;
}

/**
 * The key parts meant by a key given to invalidate/prefill. An array is always the list of parts
 * (parts are never arrays, so this is unambiguous); a bare value is accepted only by a cache
 * keyed by one part, where it means `[value]`; a zero-part cache also accepts `undefined`.
 */
export function keyPartsOf(cache: string, depth: number, key: unknown): readonly unknown[] {
  if (Array.isArray(key)) return key;
  if (depth === 1) return [key];
  if (depth === 0 && key === undefined) return [];
  throw bareKeyAmbiguous(cache, depth, key);
}

/** Full keys have `depth` parts; tree caches also accept a non-empty shorter prefix. */
export function checkKeyLength(
  cache: string,
  parts: readonly unknown[],
  depth: number,
  tree: boolean,
): void {
  const n = parts.length;
  if (n === depth || (tree && n >= 1 && n < depth)) return;
  throw keyLength(cache, n, depth, tree);
}
