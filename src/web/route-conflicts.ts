/**
 * Load-time conflict detection between parameter routes: two patterns conflict when some path
 * matches both (`/rooms/:id/state` and `/rooms/search/:what` both match `/rooms/search/state`).
 * Kept apart from the lookup trie (router.ts): that one is compressed character by character for
 * request speed, while overlap is a question about whole segments, answered here on a plain
 * segment trie that holds the parameter routes only and is never read by a request.
 */
import type { RoutePattern } from './route-pattern.js';

class SegmentNode<R> {
  readonly statics = new Map<string, SegmentNode<R>>();
  param: SegmentNode<R> | undefined = undefined;
  route: R | undefined = undefined;
}

export class RouteConflicts<R> {
  private readonly root = new SegmentNode<R>();

  /** An already added route some path would match together with `pattern`, if any. */
  overlapping(pattern: RoutePattern): R | undefined {
    return overlap(this.root, pattern.segments, 0);
  }

  /** Adds `route` at `pattern` (the caller checked `overlapping` first). */
  add(pattern: RoutePattern, route: R): void {
    let node = this.root;
    for (const segment of pattern.segments) {
      if (segment === undefined) {
        node = node.param ??= new SegmentNode();
        continue;
      }
      let next = node.statics.get(segment);
      if (next === undefined) node.statics.set(segment, (next = new SegmentNode()));
      node = next;
    }
    node.route = route;
  }
}

function overlap<R>(
  node: SegmentNode<R>,
  segments: ReadonlyArray<string | undefined>,
  i: number,
): R | undefined {
  if (i === segments.length) return node.route;
  const segment = segments[i];
  if (segment === undefined) {
    // A parameter matches any non-empty segment: every static child but "" overlaps it.
    for (const [key, child] of node.statics) {
      if (key === '') continue;
      const found = overlap(child, segments, i + 1);
      if (found !== undefined) return found;
    }
  } else {
    const child = node.statics.get(segment);
    if (child !== undefined) {
      const found = overlap(child, segments, i + 1);
      if (found !== undefined) return found;
    }
    if (segment === '') return undefined;
  }
  return node.param === undefined ? undefined : overlap(node.param, segments, i + 1);
}
