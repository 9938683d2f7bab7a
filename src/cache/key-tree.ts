/**
 * The key tree: one Map level per key part, so lookups need no key string, key parts keep their
 * types (Map compares by SameValueZero) and a prefix names a subtree.
 *
 * Path compression keeps multi-part caches lean: a slot holds an Entry directly while it is
 * the only entry below that prefix, and becomes a Map only when a second entry arrives. Without
 * it, keys that differ early (one room per entry) cost a nearly empty Map per level per entry.
 * So a slot at an inner level is a Map or an Entry whose remaining key parts must be compared.
 * Entries of multi-part caches keep their key parts array in `entry.key`.
 */
import { Entry } from './entry.js';

export type Tree = Map<unknown, Tree | Entry>;

/** SameValueZero, as Map compares keys. */
export function samePart(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** Whether `key` (an entry's parts) equals `parts` from index `from` up to `to` (exclusive). */
export function partsMatch(
  key: readonly unknown[],
  parts: readonly unknown[],
  from: number,
  to: number,
): boolean {
  for (let i = from; i < to; i++) if (!samePart(key[i], parts[i])) return false;
  return true;
}

/** The entry stored under the full key `parts` (`levels` ≥ 2). */
export function lookup(root: Tree, parts: readonly unknown[], levels: number): Entry | undefined {
  let node: Tree = root;
  for (let i = 0; i < levels; i++) {
    const child = node.get(parts[i]);
    if (child === undefined) return undefined;
    if (child instanceof Entry) {
      return i === levels - 1 || partsMatch(child.key as unknown[], parts, i + 1, levels)
        ? child
        : undefined;
    }
    node = child;
  }
  return undefined;
}

/** Stores `entry` under its key parts; the slot must not hold an entry with the same key. */
export function insert(root: Tree, entry: Entry, levels: number): void {
  const parts = entry.key as unknown[];
  let node: Tree = root;
  for (let i = 0; i < levels; i++) {
    const child = node.get(parts[i]);
    if (child === undefined || i === levels - 1) {
      node.set(parts[i], entry);
      return;
    }
    if (child instanceof Entry) {
      // A second entry below this prefix: push the first one down a level and continue there.
      const level: Tree = new Map();
      level.set((child.key as unknown[])[i + 1], child);
      node.set(parts[i], level);
      node = level;
    } else {
      node = child;
    }
  }
}

/** Removes `entry` if it is still the one stored under its key; prunes emptied levels. */
export function remove(root: Tree, entry: Entry, levels: number): boolean {
  const parts = entry.key as unknown[];
  const path: Tree[] = [root];
  let node: Tree = root;
  for (let i = 0; i < levels; i++) {
    const child = node.get(parts[i]);
    if (child === entry) {
      node.delete(parts[i]);
      prune(path, parts, i);
      return true;
    }
    if (child === undefined || child instanceof Entry) return false;
    node = child;
    path.push(node);
  }
  return false;
}

/** Removes and returns every entry under the prefix `parts` (shorter than `levels`). */
export function removePrefix(root: Tree, parts: readonly unknown[]): Entry[] {
  const path: Tree[] = [root];
  let node: Tree = root;
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const child = node.get(parts[i]);
    if (child === undefined) return [];
    if (child instanceof Entry && !partsMatch(child.key as unknown[], parts, i + 1, parts.length))
      return [];
    if (child instanceof Entry || i === last) {
      node.delete(parts[i]);
      prune(path, parts, i);
      const removed: Entry[] = [];
      collect(child, removed);
      return removed;
    }
    node = child;
    path.push(node);
  }
  return [];
}

/** Deletes the levels on `path` left empty, from `depth` up. */
function prune(path: Tree[], parts: readonly unknown[], depth: number): void {
  for (let i = depth; i > 0 && path[i]!.size === 0; i--) path[i - 1]!.delete(parts[i - 1]);
}

export function collect(node: Tree | Entry, out: Entry[]): void {
  if (node instanceof Entry) {
    out.push(node);
    return;
  }
  for (const child of node.values()) collect(child, out);
}

export function countMaps(node: Tree): number {
  let n = 1;
  for (const child of node.values()) if (!(child instanceof Entry)) n += countMaps(child);
  return n;
}
