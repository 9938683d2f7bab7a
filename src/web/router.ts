/**
 * The trie behind the web registry: exact paths, prefixes and parameter routes in one radix tree
 * (the registry keeps reserved prefixes in a second one), so a lookup is one walk that costs time linear in the path's length
 * whatever the number of segments and routes (walking up one parent at a time, slicing and
 * looking up each prefix, made a 7,000-segment path cost quadratic time).
 *
 * Compressed by character, not by segment: a node holds a run of characters (its label) that
 * the walk compares in place with the request path, and picks its next child by one character
 * code, so a lookup never slices, hashes or splits the path. A node may mark where an exact path
 * ends, where a prefix ends (it then covers the path when the next character is "/" or there is
 * none), and have a parameter child: a node that takes one non-empty segment, followed by its
 * own static subtree (the rest of the patterns).
 *
 * The static walk finds the exact path, the deepest prefix on the way, and the nodes where a
 * parameter route could leave it (forks). Precedence is exact > parameter > prefix. Only forks
 * start a depth-first parameter search, bounded by the patterns' own depth; patterns never
 * overlap (refused at registration, see route-conflicts.ts), so the first route found is the
 * only one.
 *
 * `lookup(raw, true)` also decides whether the raw request path is already plain and normal, in
 * the same walk: what it matched is registered text (normal, plain), so only the rest of the path
 * from the last "/" before the mismatch is scanned, with native scans when it is long.
 *
 * `steps` counts the work done (path characters read by comparisons and scans), so tests prove
 * linearity by counting, not timing; it counts only once `counting` is on.
 */

/** Marks a reserved prefix: nothing at or below it is served by a module. */
export const RESERVED = Symbol('reserved');

/** What a lookup found; the value itself is in the trie's fields, read right after the call. */
export const NOT_PLAIN = 0; // the raw path needs normalising first: nothing was looked up
export const EXACT = 1; // `resource` is the exact resource
export const ROUTE = 2; // `route` matched; its values are `valueStarts`/`valueEnds` in the path
export const PREFIX = 3; // `resource` is the deepest prefix; it ends at `prefixEnd`
export const UNDER_RESERVED = 4; // the deepest prefix is reserved
export const NOTHING = 5;
export type Found = 0 | 1 | 2 | 3 | 4 | 5;

/** From this many static children a node indexes them by character code in a table. */
const TABLE_MIN = 5;
/** A table spans at most this many character codes (else the children stay a list). */
const TABLE_SPAN = 128;

/** One shape for every node, so the walk's property reads stay monomorphic. */
class Node<T, R> {
  /** First character code of each static child's label, and the child, in parallel. */
  codes: number[] = [];
  kids: Array<Node<T, R>> = [];
  /** With TABLE_MIN children or more: kids by `code - low` (null where none). */
  table: Array<Node<T, R> | null> | null = null;
  low = 0;
  exact: T | undefined = undefined;
  prefix: T | typeof RESERVED | undefined = undefined;
  /** The node taking the segment after this node's text (which then ends with "/"). */
  param: Node<T, R> | undefined = undefined;
  /** A parameter route ending here (only in a parameter node or below one). */
  route: R | undefined = undefined;
  /** Whether `prefix` or `param` is set (one test for the walk's common case, neither). */
  marked = false;

  /** Where the last "/" of the label is (-1: none), and its last character code. */
  lastSlash = -1;
  lastCode = 0;

  constructor(
    /** The characters this node takes (empty for the root and parameter nodes). */
    public label: string,
  ) {
    this.relabel(label);
  }

  relabel(label: string): void {
    this.label = label;
    this.lastSlash = label.lastIndexOf('/');
    this.lastCode = label.charCodeAt(label.length - 1);
  }

  child(code: number): Node<T, R> | null {
    const table = this.table;
    if (table !== null) {
      const k = code - this.low;
      return k >= 0 && k < table.length ? table[k]! : null;
    }
    const codes = this.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i] === code) return this.kids[i]!;
    return null;
  }

  /** Adds `node` as a child, or puts it in place of the child starting with the same code. */
  setChild(node: Node<T, R>): void {
    const code = node.label.charCodeAt(0);
    const i = this.codes.indexOf(code);
    if (i === -1) {
      this.codes.push(code);
      this.kids.push(node);
    } else {
      this.kids[i] = node;
    }
    this.table = null;
    if (this.codes.length < TABLE_MIN) return;
    const low = Math.min(...this.codes);
    const span = Math.max(...this.codes) - low + 1;
    if (span > TABLE_SPAN) return;
    const table = new Array<Node<T, R> | null>(span).fill(null);
    for (let k = 0; k < this.codes.length; k++) table[this.codes[k]! - low] = this.kids[k]!;
    this.low = low;
    this.table = table;
  }
}

/** From this many characters the native scans beat one regular expression (and the loop). */
const NATIVE_SCAN_LENGTH = 16;
/**
 * From this many characters one regular expression beats the loop: V8's `charCodeAt` on a
 * string of unknown representation costs about 30 instructions a character, the expression
 * about 300 once and 11 a character (counted with callgrind; 14 characters: 412 against 473).
 */
const EXPRESSION_SCAN_LENGTH = 8;
/** Any of "%", a backslash, "//" and "/." (see plainFrom), searched from `lastIndex`. */
const NOT_PLAIN_TEXT = /[%\\]|\/[/.]/g;
/**
 * "//" or "/.", searched from `lastIndex`. A regular expression: `indexOf('//')` restarts at
 * every "/" and costs 18x as much on a 14 KB path of 7,000 segments, and 4x on a 26-character
 * rest of ten one-letter segments (a loop 2x).
 */
const EMPTY_OR_DOT = /\/[/.]/g;

/**
 * Labels from this long are compared with one native `indexOf` (as find-my-way does) rather
 * than character by character: a few times cheaper for a whole segment or more.
 */
const NATIVE_COMPARE_LENGTH = 6;

/**
 * Whether `path` from `from` (a "/") is plain and normal: no "%", no backslash, no "//" and no
 * "/." (an empty or dot segment, or one such as ".well-known": normalising decides).
 */
function plainFrom(path: string, from: number): boolean {
  const length = path.length;
  if (length - from >= NATIVE_SCAN_LENGTH) {
    if (path.indexOf('%', from) !== -1 || path.indexOf('\\', from) !== -1) return false;
    EMPTY_OR_DOT.lastIndex = from;
    return !EMPTY_OR_DOT.test(path);
  }
  if (length - from >= EXPRESSION_SCAN_LENGTH) {
    NOT_PLAIN_TEXT.lastIndex = from;
    return !NOT_PLAIN_TEXT.test(path);
  }
  for (let i = from; i < length; i++) {
    const c = path.charCodeAt(i);
    // Letters and digits, nearly every character, cost one test.
    if (c > 0x2f && c !== 0x5c) continue;
    if (c === 0x2f) {
      const next = path.charCodeAt(i + 1);
      if (next === 0x2f || next === 0x2e) return false;
    } else if (c === 0x25 || c === 0x5c) return false;
  }
  return true;
}

/**
 * Whether `path` has `node`'s label at `i`, its first character being known to match: the last
 * character first (a cheap miss), then the rest.
 */
function labelAt(path: string, i: number, node: Node<unknown, unknown>): boolean {
  const label = node.label;
  const n = label.length;
  if (n === 1) return true;
  if (path.charCodeAt(i + n - 1) !== node.lastCode) return false;
  if (n >= NATIVE_COMPARE_LENGTH) return path.indexOf(label, i) === i;
  for (let j = 1; j < n - 1; j++) if (path.charCodeAt(i + j) !== label.charCodeAt(j)) return false;
  return true;
}

export class RouteTrie<T, R> {
  /** The node for "/": every path starts with it, so the walk starts after it. */
  private readonly root = new Node<T, R>('/');
  /** The prefix value at "/" (it covers every path, so the root's own `prefix` stays unset). */
  private rootPrefix: T | typeof RESERVED | undefined = undefined;
  /** How many parameter routes there are. */
  routes = 0;
  /** Work counter (path characters read); never reset by the trie. */
  steps = 0;
  /**
   * Whether lookups add to `steps`: off until a test asks (WebRegistry.lookupSteps turns it on),
   * so serving never pays for the counting (2–3% of a parameter lookup's instructions).
   */
  counting = false;

  /** Results of the last lookup (see the Found codes). */
  resource: T | undefined = undefined;
  route: R | undefined = undefined;
  /** The deepest prefix on the last lookup's path (whatever it found), and where it ends. */
  prefix: T | typeof RESERVED | undefined = undefined;
  prefixEnd = 0;
  /** Where each value of the last route found starts and ends in the path, in pattern order. */
  readonly valueStarts: number[] = [];
  readonly valueEnds: number[] = [];
  private valueCount = 0;

  /** Scratch for lookup, reused (lookups are synchronous): forks' parameter nodes and offsets. */
  private readonly forkNodes: Array<Node<T, R>> = [];
  private readonly forkAt: number[] = [];

  /** Sets the prefix value at `prefix` (a path without trailing slash, or "/"). */
  setPrefix(prefix: string, value: T | typeof RESERVED): void {
    if (prefix === '/') {
      this.rootPrefix = value;
      return;
    }
    const node = this.insertBelow(this.root, prefix);
    node.prefix = value;
    node.marked = true;
  }

  /** Sets the exact resource at `path` (normalised and plain). */
  setExact(path: string, value: T): void {
    this.insertBelow(this.root, path).exact = value;
  }

  /** Stores `route` at `segments` (a parameter is `undefined`); conflicts were checked before. */
  addRoute(segments: ReadonlyArray<string | undefined>, route: R): void {
    let node = this.root;
    // The text below `node`, from its "/" (the root's own "/" is its label).
    let text = '';
    for (const segment of segments) {
      if (segment !== undefined) {
        text += `/${segment}`;
        continue;
      }
      node = this.insertBelow(node, `${text}/`);
      node.marked = true;
      node = node.param ??= new Node<T, R>('');
      text = '';
    }
    this.insertBelow(node, text).route = route;
    this.routes++;
  }

  private insertBelow(node: Node<T, R>, text: string): Node<T, R> {
    return insert(node, node === this.root ? text.slice(1) : text);
  }

  /**
   * Looks `path` up (starting with "/"). With `raw`, `path` is the request path as received
   * (never with control characters: node:http and URL pathnames refuse or encode them), and
   * NOT_PLAIN says it is not already plain and normal (a "%", a backslash, "//" or a segment
   * starting with "."): the caller must normalise it and look that up. Without `raw`, `path` is
   * normalised (or re-encoded by the registry for encoded slashes) and taken as it is.
   */
  lookup(path: string, raw: boolean): Found {
    const length = path.length;
    const forkNodes = this.forkNodes;
    const forkAt = this.forkAt;
    let forks = 0;
    let node = this.root;
    let prefix = this.rootPrefix;
    let prefixEnd = 0;
    let i = 1;
    // Where the last "/" of the text matched so far is.
    let slash = 0;
    let full = true;
    // Path characters read (work counter).
    let steps = 0;
    // child() and labelAt() written out: this loop is the hot path, and V8 does not inline them.
    for (;;) {
      if (node.marked) {
        if (node.prefix !== undefined && (i === length || path.charCodeAt(i) === 0x2f)) {
          prefix = node.prefix;
          prefixEnd = i;
        }
        if (node.param !== undefined) {
          forkNodes[forks] = node.param;
          forkAt[forks++] = i;
        }
      }
      if (i === length) break;
      const code = path.charCodeAt(i);
      let child: Node<T, R> | null = null;
      const table = node.table;
      if (table !== null) {
        const k = code - node.low;
        if (k >= 0 && k < table.length) child = table[k]!;
      } else {
        const codes = node.codes;
        for (let c = 0; c < codes.length; c++)
          if (codes[c] === code) {
            child = node.kids[c]!;
            break;
          }
      }
      if (child === null) {
        full = false;
        steps = i + 1;
        break;
      }
      const label = child.label;
      const n = label.length;
      if (n > 1) {
        let same = path.charCodeAt(i + n - 1) === child.lastCode;
        if (same && n >= NATIVE_COMPARE_LENGTH) {
          same = path.indexOf(label, i) === i;
          // A native miss may have read on to the end of the path.
          if (!same) steps = length;
        } else if (same) {
          for (let j = 1; j < n - 1; j++)
            if (path.charCodeAt(i + j) !== label.charCodeAt(j)) {
              same = false;
              break;
            }
        }
        if (!same) {
          full = false;
          if (steps === 0) steps = i + n;
          break;
        }
      }
      if (child.lastSlash !== -1) slash = i + child.lastSlash;
      node = child;
      i += n;
    }
    if (full) steps = length;
    if (this.counting) this.steps += steps;
    this.prefix = prefix;
    this.prefixEnd = prefixEnd;
    if (full) {
      // Registered text can stop inside a segment (".well-known" split from ".x"): "/." here.
      if (raw && path.charCodeAt(length - 1) === 0x2e && endsWithDotSegment(path)) return NOT_PLAIN;
      if (node.exact !== undefined) {
        this.resource = node.exact;
        return EXACT;
      }
    }
    if (prefix === RESERVED) return UNDER_RESERVED;
    // Deepest fork first; patterns never overlap, so the order only decides how soon.
    for (let f = forks - 1; f >= 0; f--) {
      const route = this.search(forkNodes[f]!, path, forkAt[f]!, 0);
      if (route === undefined) continue;
      // The path is the route's registered text and its values: plain and normal when the
      // values are (their "/" boundaries are the pattern's, so no "//").
      if (raw && !full && !this.valuesPlain(path)) return NOT_PLAIN;
      this.route = route;
      return ROUTE;
    }
    if (raw && !full) {
      // Everything before `i` is registered text, plain and normal; the rest is checked from
      // the start of the segment `i` is in (a dot segment starts at its "/").
      if (this.counting) this.steps += 3 * (length - slash);
      if (!plainFrom(path, slash)) return NOT_PLAIN;
    }
    if (prefix === undefined) return NOTHING;
    this.resource = prefix;
    return PREFIX;
  }

  /**
   * Whether the values of the route just found are plain and normal: no "%" or backslash from
   * the first one on (the pattern's own text has none), none starting with "." (a dot segment,
   * maybe).
   */
  private valuesPlain(path: string): boolean {
    const starts = this.valueStarts;
    const first = starts[0]!;
    if (this.counting) this.steps += 2 * (path.length - first);
    if (path.indexOf('%', first) !== -1 || path.indexOf('\\', first) !== -1) return false;
    for (let v = 0; v < this.valueCount; v++)
      if (path.charCodeAt(starts[v]!) === 0x2e) return false;
    return true;
  }

  /**
   * Matches the rest of `path` from `param` taking the segment at `start` as value `d`. A loop
   * that recurses only where a node has both a matching static child and a parameter child (the
   * one place a search can fail and need the other way): most patterns never branch, and each
   * call level cost about as much as the comparisons it made.
   */
  private search(param: Node<T, R>, path: string, start: number, d: number): R | undefined {
    const length = path.length;
    let node = param;
    let i = start;
    let value = true; // whether the walk is to take the segment at `i` as a value
    for (;;) {
      if (value) {
        let end = path.indexOf('/', i);
        if (end === -1) end = length;
        if (this.counting) this.steps += end - i + 1;
        if (end === i) return undefined; // a parameter takes a non-empty segment
        this.valueStarts[d] = i;
        this.valueEnds[d++] = end;
        i = end;
      }
      // `node`'s text is matched up to `i`.
      if (i === length) {
        this.valueCount = d;
        return node.route;
      }
      const child = node.child(path.charCodeAt(i));
      if (child !== null) {
        const matched = labelAt(path, i, child);
        // A miss compared natively may have read on to the end of the path.
        if (this.counting) this.steps += matched ? child.label.length : length - i;
        if (matched) {
          if (node.param === undefined) {
            node = child;
            i += child.label.length;
            value = false;
            continue;
          }
          const found = this.below(child, path, i + child.label.length, d);
          if (found !== undefined) return found;
        }
      }
      if (node.param === undefined) return undefined;
      node = node.param;
      value = true;
    }
  }

  /** Matches the rest of `path` from `i`, `node`'s text being matched; `d` values so far. */
  private below(node: Node<T, R>, path: string, i: number, d: number): R | undefined {
    if (i === path.length) {
      this.valueCount = d;
      return node.route;
    }
    const child = node.child(path.charCodeAt(i));
    if (child !== null) {
      const matched = labelAt(path, i, child);
      if (this.counting) this.steps += matched ? child.label.length : path.length - i;
      if (matched) {
        const found = this.below(child, path, i + child.label.length, d);
        if (found !== undefined) return found;
      }
    }
    return node.param === undefined ? undefined : this.search(node.param, path, i, d);
  }
}

/** Whether `path` (ending with ".") ends with a "." or ".." segment. */
function endsWithDotSegment(path: string): boolean {
  const slash = path.lastIndexOf('/');
  const last = path.length - slash - 1;
  return last === 1 || (last === 2 && path.charCodeAt(slash + 1) === 0x2e);
}

/** The node for `key` below `from` (whose own text is matched), made and split as needed. */
function insert<T, R>(from: Node<T, R>, key: string): Node<T, R> {
  let node = from;
  let i = 0;
  while (i < key.length) {
    const child = node.child(key.charCodeAt(i));
    if (child === null) {
      const leaf = new Node<T, R>(key.slice(i));
      node.setChild(leaf);
      return leaf;
    }
    const label = child.label;
    let common = 1;
    while (
      common < label.length &&
      i + common < key.length &&
      label.charCodeAt(common) === key.charCodeAt(i + common)
    )
      common++;
    if (common < label.length) {
      const mid = new Node<T, R>(label.slice(0, common));
      child.relabel(label.slice(common));
      mid.setChild(child);
      node.setChild(mid);
      node = mid;
    } else {
      node = child;
    }
    i += common;
  }
  return node;
}
