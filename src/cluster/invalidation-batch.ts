/**
 * The Redis bus's wire format and the batch it builds during one tick. A batch holds, per cache,
 * either "everything" or a deduplicated set of keys, so any number of invalidations issued at
 * once travel as a single pub/sub message. `seq` numbers the sender's batches (1, 2, ...) so
 * receivers can acknowledge them (membership.ts); a batch without it needs no acknowledgement:
 *
 *   {"v":1,"from":"<sender id>","seq":7,"inv":[{"c":"mod.fn","k":[[1,"a"],[2,"b"]]},{"c":"mod.g","all":true}]}
 */
import type { InvalidationMessage } from './invalidation-bus.js';
import { decodePart, encodePart, UNSENDABLE } from './key-codec.js';
import {
  invalidationKeyPartUnsendable,
  invalidationMessageInvalid,
} from '../errors/cluster-messages.js';

export const WIRE_VERSION = 1;

interface CacheEntry {
  all: boolean;
  /** Encoded key (its JSON text) → itself; the text doubles as the dedup key. */
  keys: Set<string>;
}

/** Checks and encodes an outgoing message's keys; throws a ModhostError naming the cache. */
function encodeKeys(message: InvalidationMessage): string[] {
  if (message.keys === undefined) return [];
  if (!Array.isArray(message.keys)) {
    throw invalidationMessageInvalid(`keys of cache ${message.cache} is not an array of keys`);
  }
  return message.keys.map((key, keyIndex) => {
    if (!Array.isArray(key)) {
      throw invalidationMessageInvalid(
        `key ${keyIndex} of cache ${message.cache} is not an array of key parts`,
      );
    }
    const parts = key.map((part, partIndex) => {
      const encoded = encodePart(part);
      if (encoded === UNSENDABLE) {
        throw invalidationKeyPartUnsendable(message.cache, keyIndex, partIndex, part);
      }
      return encoded;
    });
    return JSON.stringify(parts);
  });
}

export class InvalidationBatch {
  private entries = new Map<string, CacheEntry>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds `message`; validation errors are thrown before anything is added. */
  add(message: InvalidationMessage): void {
    if (!message || typeof message.cache !== 'string' || message.cache === '') {
      throw invalidationMessageInvalid('the cache name is missing or not a string');
    }
    if (!message.all && message.keys === undefined) {
      throw invalidationMessageInvalid(
        `message for cache ${message.cache} has neither keys nor all`,
      );
    }
    const keys = encodeKeys(message);
    if (!message.all && keys.length === 0) return;
    let entry = this.entries.get(message.cache);
    if (!entry) {
      entry = { all: false, keys: new Set() };
      this.entries.set(message.cache, entry);
    }
    if (message.all) {
      // Clearing everything subsumes any key in the same batch.
      entry.all = true;
      entry.keys.clear();
      return;
    }
    if (entry.all) return;
    for (const key of keys) entry.keys.add(key);
  }

  /** The caches in this batch. */
  caches(): string[] {
    return [...this.entries.keys()];
  }

  /** Renders the batch as one wire message and empties it; `seq` 0 asks for no acknowledgement. */
  drain(from: string, seq = 0): string {
    const items: string[] = [];
    for (const [cache, entry] of this.entries) {
      const name = JSON.stringify(cache);
      items.push(
        entry.all ? `{"c":${name},"all":true}` : `{"c":${name},"k":[${[...entry.keys].join(',')}]}`,
      );
    }
    this.entries = new Map();
    const numbered = seq > 0 ? `,"seq":${seq}` : '';
    return `{"v":${WIRE_VERSION},"from":${JSON.stringify(from)}${numbered},"inv":[${items.join(',')}]}`;
  }
}

export interface DecodedBatch {
  from: string;
  /** The sender's batch number, to acknowledge; absent when none is asked for. */
  seq?: number;
  messages: InvalidationMessage[];
}

/** Parses a wire message; throws a plain Error describing what is malformed. */
export function decodeBatch(raw: string): DecodedBatch {
  const parsed = JSON.parse(raw) as { v?: unknown; from?: unknown; seq?: unknown; inv?: unknown };
  if (parsed === null || typeof parsed !== 'object') throw new Error('not a JSON object');
  if (parsed.v !== WIRE_VERSION) {
    throw new Error(`wire version ${JSON.stringify(parsed.v)}, expected ${WIRE_VERSION}`);
  }
  if (typeof parsed.from !== 'string') throw new Error('no sender id');
  if (!Array.isArray(parsed.inv)) throw new Error('no list of invalidations');
  const { seq } = parsed;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) > 0)) {
    throw new Error('a batch number that is not a positive integer');
  }
  const messages = parsed.inv.map((item: { c?: unknown; k?: unknown; all?: unknown }) => {
    if (!item || typeof item.c !== 'string') throw new Error('an invalidation without a cache');
    if (item.all === true) return { cache: item.c, all: true };
    if (!Array.isArray(item.k)) throw new Error(`invalidation of ${item.c} without keys`);
    const keys = item.k.map((key: unknown) => {
      if (!Array.isArray(key)) throw new Error(`a key of ${item.c} is not an array`);
      return key.map(decodePart);
    });
    return { cache: item.c, keys };
  });
  return seq === undefined
    ? { from: parsed.from, messages }
    : { from: parsed.from, seq: seq as number, messages };
}
