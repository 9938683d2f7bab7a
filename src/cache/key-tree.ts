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
import { ShardedMap, shardedIfBig } from './sharded-map.js';

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
  let parent: Tree | undefined;
  for (let i = 0; i < levels; i++) {
    const child = node.get(parts[i]);
    if (child === undefined || i === levels - 1) {
      node.set(parts[i], entry);
      // An inner level grown big is swapped for a sharded copy (the root: by the caller).
      if (parent !== undefined) {
        const level = shardedIfBig(node);
        if (level !== node) parent.set(parts[i - 1], level);
      }
      return;
    }
    parent = node;
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

/**
 * Cuts the subtree under the prefix `parts` (shorter than `levels`) off the tree and returns it
 * (a level or a single entry), or undefined when nothing is stored under the prefix.
 */
export function cutPrefix(root: Tree, parts: readonly unknown[]): Tree | Entry | undefined {
  const path: Tree[] = [root];
  let node: Tree = root;
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const child = node.get(parts[i]);
    if (child === undefined) return undefined;
    if (child instanceof Entry && !partsMatch(child.key as unknown[], parts, i + 1, parts.length))
      return undefined;
    if (child instanceof Entry || i === last) {
      node.delete(parts[i]);
      prune(path, parts, i);
      return child;
    }
    node = child;
    path.push(node);
  }
  return undefined;
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

/**
 * Walks the entries of a subtree a few at a time (for invalidations done in slices). The subtree
 * must be cut off the cache's tree first, so nothing changes it while the walk runs.
 */
export class EntryWalker {
  private readonly stack: Array<Iterator<Tree | Entry>> = [];
  private first: Entry | undefined;

  constructor(node: Tree | Entry) {
    if (node instanceof Entry) this.first = node;
    else this.push(node);
  }

  private push(level: Tree): void {
    if (level instanceof ShardedMap) {
      for (const shard of (level as ShardedMap<unknown, Tree | Entry>).shardMaps)
        this.stack.push(shard.values());
    } else {
      this.stack.push(level.values());
    }
  }

  /** The next entry, or undefined when the walk is done. */
  next(): Entry | undefined {
    const first = this.first;
    if (first !== undefined) {
      this.first = undefined;
      return first;
    }
    const stack = this.stack;
    while (stack.length > 0) {
      const step = stack[stack.length - 1]!.next();
      if (step.done === true) {
        stack.pop();
        continue;
      }
      const value = step.value;
      if (value instanceof Entry) return value;
      this.push(value);
    }
    return undefined;
  }
}

export function countMaps(node: Tree): number {
  let n = 1;
  for (const child of node.values()) if (!(child instanceof Entry)) n += countMaps(child);
  return n;
}
