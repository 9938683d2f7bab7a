/**
 * The trie behind the web registry, so a lookup costs time linear in the path's length whatever
 * the number of segments and routes (walking up one parent at a time, slicing and looking up each
 * prefix, made a 7,000-segment path cost quadratic time).
 *
 * One node per path segment. A node holds the prefix resource registered at its path (or
 * RESERVED), the parameter route ending there, its static children and one parameter child.
 *
 * A lookup is one walk down the path along static children: it finds the deepest prefix on the
 * way and stops as soon as the trie has no child for the next segment. A parameter route can only
 * match by leaving that walk through a parameter child of a node on it, so only those nodes start
 * a (depth-first) parameter search, bounded by the longest pattern. Patterns never overlap
 * (refused at registration), so the first route found is the only one.
 *
 * The walk reads the path in place: a node with one static child compares it with `startsWith`,
 * others slice the segment once for a Map lookup. `steps` counts the work done (characters
 * compared or sliced, and nodes entered), so tests prove linearity by counting, not timing.
 */
import type { RoutePattern } from './route-pattern.js';

/** Marks a reserved prefix: nothing at or below it is served by a module. */
export const RESERVED = Symbol('reserved');

/** Up to this many static children are compared in place; more go in a Map (sliced, hashed). */
const SCAN_LIMIT = 8;

class Node<T, R> {
  /** Static children's segments and nodes while there are few: compared with `startsWith`. */
  keys: string[] = [];
  nodes: Array<Node<T, R>> = [];
  /** Static children once there are more than SCAN_LIMIT. */
  children: Map<string, Node<T, R>> | undefined = undefined;
  param: Node<T, R> | undefined = undefined;
  prefix: T | typeof RESERVED | undefined = undefined;
  route: R | undefined = undefined;

  staticChild(segment: string): Node<T, R> | undefined {
    if (this.children !== undefined) return this.children.get(segment);
    const i = this.keys.indexOf(segment);
    return i === -1 ? undefined : this.nodes[i];
  }

  addStatic(segment: string): Node<T, R> {
    const found = this.staticChild(segment);
    if (found !== undefined) return found;
    const child = new Node<T, R>();
    if (this.children !== undefined) {
      this.children.set(segment, child);
    } else if (this.keys.length < SCAN_LIMIT) {
      this.keys.push(segment);
      this.nodes.push(child);
    } else {
      this.children = new Map(this.keys.map((k, i) => [k, this.nodes[i]!]));
      this.children.set(segment, child);
      this.keys = [];
      this.nodes = [];
    }
    return child;
  }

  /**
   * The static child for the segment [start, end) of `path`: hashed (sliced) among many
   * children, else compared in place, length first.
   */
  rawChild(path: string, start: number, end: number): Node<T, R> | undefined {
    const children = this.children;
    if (children !== undefined) return children.get(path.slice(start, end));
    const keys = this.keys;
    const length = end - start;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key.length === length && sameAt(path, start, key)) return this.nodes[i];
    }
    return undefined;
  }

  *statics(): Iterable<[string, Node<T, R>]> {
    if (this.children !== undefined) yield* this.children;
    else for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.nodes[i]!];
  }
}

/** The result of a lookup; one object reused by the caller, so a miss allocates nothing. */
export interface RouteHit<T, R> {
  /** The deepest prefix value on the path (resource or RESERVED), if any. */
  prefix: T | typeof RESERVED | undefined;
  /** Where that prefix ends in the path (its length; 0 for the root prefix "/"). */
  prefixEnd: number;
  /** The parameter route matching the whole path, if any. */
  route: R | undefined;
}

/** Below this many characters a loop beats the regular expression's fixed cost. */
const NATIVE_SCAN_LENGTH = 64;

/**
 * "//" or "/.", searched from `lastIndex`. A regular expression: `indexOf('//')` restarts at
 * every "/" and costs 18x as much on a 14 KB path of 7,000 segments (a loop 7x).
 */
const EMPTY_OR_DOT = /\/[/.]/g;

/** Whether `path` from `from` (a "/") has "//" or "/." (an empty or dot segment, maybe). */
function hasEmptyOrDotSegment(path: string, from: number): boolean {
  const length = path.length;
  if (length - from >= NATIVE_SCAN_LENGTH) {
    EMPTY_OR_DOT.lastIndex = from;
    return EMPTY_OR_DOT.test(path);
  }
  for (let i = from; i < length - 1; i++) {
    if (path.charCodeAt(i) !== 0x2f) continue;
    const next = path.charCodeAt(i + 1);
    if (next === 0x2f || next === 0x2e) return true;
  }
  return false;
}

/**
 * Whether `path` has `key` at `start` (`startsWith`, inlined: a builtin call costs more than
 * comparing a segment's few characters).
 */
function sameAt(path: string, start: number, key: string): boolean {
  for (let i = 0; i < key.length; i++)
    if (path.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
  return true;
}

export class RouteTrie<T, R> {
  private readonly root = new Node<T, R>();
  /** How many parameter routes there are. */
  routes = 0;
  /** Work counter (characters compared or sliced, nodes entered); never reset by the trie. */
  steps = 0;
  /** Scratch for find(), reused: lookups are synchronous, so one array serves every call. */
  private readonly forks: Array<Node<T, R> | number> = [];
  /** The most segments a parameter route has (no longer path can match one). */
  private routeDepth = 0;
  /** Scratch for walkRaw: where each of the path's first segments starts and ends, its hash. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Nodes on walkRaw's walk with a parameter child, and the index of the segment it takes. */
  private readonly rawForks: Array<Node<T, R>> = [];
  private readonly rawForkAt: number[] = [];
  private segmentCount = 0;
  private rawPath = '';

  /** Sets the prefix value at `prefix` (a path without trailing slash, or "/"). */
  setPrefix(prefix: string, value: T | typeof RESERVED): void {
    let node = this.root;
    if (prefix !== '/')
      for (const segment of prefix.slice(1).split('/')) node = node.addStatic(segment);
    node.prefix = value;
  }

  /** An already stored route some path would match together with `pattern`, if any. */
  overlapping(pattern: RoutePattern): R | undefined {
    return overlap(this.root, pattern.segments, 0);
  }

  /** Stores `route` at `pattern`; the caller checked `overlapping` first. */
  addRoute(pattern: RoutePattern, route: R): void {
    let node = this.root;
    for (const segment of pattern.segments)
      node = segment === undefined ? (node.param ??= new Node()) : node.addStatic(segment);
    node.route = route;
    this.routes++;
    if (pattern.segments.length > this.routeDepth) this.routeDepth = pattern.segments.length;
  }

  /**
   * Normalisation check and lookup in one walk over `path` (a raw request path starting with
   * "/", as node:http or a URL's pathname gives it: never with control characters, which both
   * refuse or percent-encode). False when it is not already plain and normal (a "%", a
   * backslash, "//" or a segment starting with "."): the caller must normalise it and `find`.
   * Else true with `out` set as `find` would for it.
   * The walk checks each segment's first character and reads only the segments the trie has (and
   * past its deepest node, those a parameter route could still take); the rest of the path is
   * checked by native scans, as find-my-way's sanitiser does.
   */
  walkRaw(path: string, out: RouteHit<T, R>): boolean {
    const length = path.length;
    this.steps += 2 * length;
    if (path.indexOf('%') !== -1 || path.indexOf('\\') !== -1) return false;
    let node: Node<T, R> | undefined = this.root;
    out.prefix = node.prefix;
    out.prefixEnd = 0;
    out.route = undefined;
    const depth = this.routeDepth;
    const starts = this.starts;
    const ends = this.ends;
    const forks = this.rawForks;
    const forkAt = this.rawForkAt;
    let forkCount = 0;
    let count = 0;
    let start = 1;
    for (;;) {
      // "//" or "/." (an empty or dot segment, or ".well-known": normalising decides).
      const first = path.charCodeAt(start);
      if (first === 0x2f || first === 0x2e) return false;
      let end = path.indexOf('/', start);
      if (end === -1) end = length;
      this.steps += end - start + 1;
      if (count < depth) {
        starts[count] = start;
        ends[count] = end;
      }
      if (node !== undefined) {
        if (node.param !== undefined) {
          forks[forkCount] = node;
          forkAt[forkCount++] = count;
        }
        node = node.rawChild(path, start, end);
        if (node !== undefined && node.prefix !== undefined) {
          out.prefix = node.prefix;
          out.prefixEnd = end;
        }
      }
      count++;
      if (end === length) break;
      // Off the trie with more segments than any pattern: nothing more can match.
      if (node === undefined && (count >= depth || forkCount === 0)) {
        // The rest is only checked, never split.
        this.steps += 2 * (length - end);
        if (hasEmptyOrDotSegment(path, end)) return false;
        count = depth + 1;
        break;
      }
      start = end + 1;
    }
    this.segmentCount = count;
    this.rawPath = path;
    if (forkCount === 0 || out.prefix === RESERVED || count > depth) return true;
    for (let f = forkCount - 1; f >= 0; f--) {
      const k = forkAt[f]!;
      if (ends[k] === starts[k]) continue;
      const found = this.rawBelow(forks[f]!.param!, k + 1);
      if (found !== undefined) {
        out.route = found;
        break;
      }
    }
    return true;
  }

  /** Matches segments k.. of the last walkRaw path from `node` (a parameter route's rest). */
  private rawBelow(node: Node<T, R>, k: number): R | undefined {
    if (k === this.segmentCount) return node.route;
    this.steps++;
    const start = this.starts[k]!;
    const end = this.ends[k]!;
    const child = node.rawChild(this.rawPath, start, end);
    if (child !== undefined) {
      const found = this.rawBelow(child, k + 1);
      if (found !== undefined) return found;
    }
    if (node.param === undefined || end === start) return undefined;
    return this.rawBelow(node.param, k + 1);
  }

  /** The params object of the last walkRaw path: segment `indices[i]` under `names[i]`. */
  rawParams(indices: readonly number[], names: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    const path = this.rawPath;
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      out[names[i]!] = path.slice(this.starts[k], this.ends[k]);
    }
    return out;
  }

  /**
   * Looks `path` up (normalised, or re-encoded by the registry for encoded slashes; starting
   * with "/"): the deepest prefix on it, and the parameter route matching it whole.
   */
  find(path: string, out: RouteHit<T, R>): RouteHit<T, R> {
    let node = this.root;
    out.prefix = node.prefix;
    out.prefixEnd = 0;
    out.route = undefined;
    const length = path.length;
    // Nodes on the walk with a parameter child, each followed by where its segment starts: only
    // there can a parameter route leave the walk.
    const forks = this.forks;
    let forkCount = 0;
    let start = 1;
    for (;;) {
      let end = path.indexOf('/', start);
      if (end === -1) end = length;
      if (node.param !== undefined) {
        forks[forkCount++] = node;
        forks[forkCount++] = start;
      }
      const child = this.step(node, path, start, end);
      if (child === undefined) break;
      node = child;
      if (node.prefix !== undefined) {
        out.prefix = node.prefix;
        out.prefixEnd = end;
      }
      // Static children alone never end a parameter route (it has a parameter).
      if (end === length) break;
      start = end + 1;
    }
    if (forkCount === 0 || out.prefix === RESERVED) return out;
    // Deepest fork first; patterns never overlap, so the order only decides how soon.
    for (let i = forkCount - 2; i >= 0; i -= 2) {
      const found = this.search((forks[i] as Node<T, R>).param!, path, forks[i + 1] as number);
      if (found !== undefined) {
        out.route = found;
        break;
      }
    }
    return out;
  }

  /** The static child of `node` for the segment [start, end) of `path`. */
  private step(node: Node<T, R>, path: string, start: number, end: number): Node<T, R> | undefined {
    const children = node.children;
    if (children !== undefined) {
      this.steps += end - start + 1;
      return children.get(path.slice(start, end));
    }
    const keys = node.keys;
    const length = end - start;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.steps++;
      if (key.length === length) {
        this.steps += length;
        if (path.startsWith(key, start)) return node.nodes[i];
      }
    }
    return undefined;
  }

  /** Depth-first search from a parameter child taking the segment that starts at `start`. */
  private search(param: Node<T, R>, path: string, start: number): R | undefined {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    this.steps += end - start + 1;
    if (end === start) return undefined; // a parameter takes a non-empty segment
    return this.below(param, path, end);
  }

  /** Matches the rest of `path` after the segment ending at `end`, from `node`. */
  private below(node: Node<T, R>, path: string, end: number): R | undefined {
    if (end === path.length) return node.route;
    const start = end + 1;
    let next = path.indexOf('/', start);
    if (next === -1) next = path.length;
    const child = this.step(node, path, start, next);
    if (child !== undefined) {
      const found = this.below(child, path, next);
      if (found !== undefined) return found;
    }
    return node.param === undefined ? undefined : this.search(node.param, path, start);
  }
}

/**
 * The params object for `path`: the segment at each `indices[i]` (ascending; 0 is the first
 * segment after the leading slash) under `names[i]`, read in one pass that stops after the last
 * one; `decode` for a path from encodedSlashRoutePath.
 */
export function paramsAt(
  path: string,
  indices: readonly number[],
  names: readonly string[],
  decode: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  let start = 1;
  let index = 0;
  for (let i = 0; i < indices.length; i++) {
    const wanted = indices[i]!;
    while (index < wanted) {
      start = path.indexOf('/', start) + 1;
      index++;
    }
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const value = path.slice(start, end);
    out[names[i]!] = decode ? decodeURIComponent(value) : value;
  }
  return out;
}

function overlap<T, R>(
  node: Node<T, R>,
  segments: ReadonlyArray<string | undefined>,
  i: number,
): R | undefined {
  if (i === segments.length) return node.route;
  const segment = segments[i];
  if (segment === undefined) {
    // A parameter matches any non-empty segment: every static child but "" overlaps it.
    for (const [key, child] of node.statics()) {
      if (key === '') continue;
      const found = overlap(child, segments, i + 1);
      if (found !== undefined) return found;
    }
  } else {
    const child = node.staticChild(segment);
    if (child !== undefined) {
      const found = overlap(child, segments, i + 1);
      if (found !== undefined) return found;
    }
    if (segment === '') return undefined;
  }
  return node.param === undefined ? undefined : overlap(node.param, segments, i + 1);
}
