/**
 * The tries behind the web registry, so a lookup costs time linear in the path's length whatever
 * the number of segments and routes (walking up one parent at a time, slicing and looking up each
 * prefix, made a 7,000-segment path cost quadratic time).
 *
 * - Prefix trie: one node per path segment; a node holds the prefix resource registered there or
 *   RESERVED. One walk down the path finds the deepest one, each segment sliced and looked up
 *   once, and stops as soon as the trie has no child for the next segment.
 * - Parameter trie: one node per pattern segment, with static children and one parameter child.
 *   Patterns never overlap (refused at registration), so at most one route matches; the
 *   depth-first search visits each trie node at most once and never goes deeper than the longest
 *   pattern, and paths with more segments than that are not searched at all.
 *
 * `steps` counts the work done (characters sliced and trie nodes visited), so tests can prove
 * linearity by counting rather than timing.
 */
import type { RoutePattern } from './route-pattern.js';

/** Marks a reserved prefix: nothing at or below it is served by a module. */
export const RESERVED = Symbol('reserved');

class PrefixNode<T> {
  children: Map<string, PrefixNode<T>> | undefined = undefined;
  value: T | typeof RESERVED | undefined = undefined;
}

class ParamNode<R> {
  statics: Map<string, ParamNode<R>> | undefined = undefined;
  param: ParamNode<R> | undefined = undefined;
  route: R | undefined = undefined;
}

export interface PrefixHit<T> {
  value: T | typeof RESERVED | undefined;
  /** Where the matched prefix ends in the path (its length; 0 for the root prefix "/"). */
  end: number;
}

export class PrefixTrie<T> {
  private readonly root = new PrefixNode<T>();
  /** Work counter (characters sliced + nodes entered); never reset by the trie itself. */
  steps = 0;

  /** Sets `value` at `prefix` (a path without trailing slash, or "/"). */
  set(prefix: string, value: T | typeof RESERVED): void {
    let node = this.root;
    if (prefix !== '/') {
      for (const segment of prefix.slice(1).split('/')) {
        node.children ??= new Map();
        let child = node.children.get(segment);
        if (child === undefined) node.children.set(segment, (child = new PrefixNode()));
        node = child;
      }
    }
    node.value = value;
  }

  /** The deepest prefix of the normalised `path` (on segment boundaries) that holds a value. */
  deepest(path: string, out: PrefixHit<T>): PrefixHit<T> {
    let node = this.root;
    out.value = node.value;
    out.end = 0;
    let start = 1;
    const length = path.length;
    while (node.children !== undefined && start < length) {
      let end = path.indexOf('/', start);
      if (end === -1) end = length;
      // An empty segment only comes from a trailing slash ("/p/" is below "/p").
      if (end === start) break;
      this.steps += end - start + 1;
      const child = node.children.get(path.slice(start, end));
      if (child === undefined) break;
      node = child;
      if (node.value !== undefined) {
        out.value = node.value;
        out.end = end;
      }
      start = end + 1;
    }
    return out;
  }
}

export class ParamTrie<R> {
  private readonly root = new ParamNode<R>();
  /** The most segments any pattern has: longer paths cannot match and are not searched. */
  maxSegments = 0;
  size = 0;
  steps = 0;

  /** An already stored route some path would match together with `pattern`, if any. */
  overlapping(pattern: RoutePattern): R | undefined {
    return overlap(this.root, pattern.segments, 0);
  }

  /** Stores `route` at `pattern`; the caller checked `overlapping` first. */
  add(pattern: RoutePattern, route: R): void {
    let node = this.root;
    for (const segment of pattern.segments) {
      if (segment === undefined) {
        node = node.param ??= new ParamNode();
      } else {
        node.statics ??= new Map();
        let child = node.statics.get(segment);
        if (child === undefined) node.statics.set(segment, (child = new ParamNode()));
        node = child;
      }
    }
    node.route = route;
    this.size++;
    if (pattern.segments.length > this.maxSegments) this.maxSegments = pattern.segments.length;
  }

  /**
   * The route matching `segments` (index 0 is the empty string before the leading slash), or
   * undefined. Statics are tried before the parameter at each level; as patterns never overlap,
   * that order only decides how soon the one match is found.
   */
  find(segments: readonly string[]): R | undefined {
    return this.search(this.root, segments, 1);
  }

  private search(node: ParamNode<R>, segments: readonly string[], i: number): R | undefined {
    this.steps++;
    if (i === segments.length) return node.route;
    const segment = segments[i]!;
    if (node.statics !== undefined) {
      this.steps += segment.length;
      const child = node.statics.get(segment);
      if (child !== undefined) {
        const found = this.search(child, segments, i + 1);
        if (found !== undefined) return found;
      }
    }
    if (node.param !== undefined && segment !== '') return this.search(node.param, segments, i + 1);
    return undefined;
  }
}

function overlap<R>(
  node: ParamNode<R>,
  segments: ReadonlyArray<string | undefined>,
  i: number,
): R | undefined {
  if (i === segments.length) return node.route;
  const segment = segments[i];
  if (segment === undefined) {
    // A parameter matches any non-empty segment: every static child but "" overlaps it.
    if (node.statics !== undefined)
      for (const [key, child] of node.statics) {
        if (key === '') continue;
        const found = overlap(child, segments, i + 1);
        if (found !== undefined) return found;
      }
  } else {
    const child = node.statics?.get(segment);
    if (child !== undefined) {
      const found = overlap(child, segments, i + 1);
      if (found !== undefined) return found;
    }
    if (segment === '') return undefined;
  }
  return node.param === undefined ? undefined : overlap(node.param, segments, i + 1);
}
