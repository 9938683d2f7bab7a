/**
 * Request-path normalisation. Routing sees only the decoded, normalised path, so an encoded
 * slash (`%2F`), an encoded dot segment (`%2e%2e`), `//` or `/./` reaches exactly what the plain
 * spelling would reach, and `..` can never climb above the root (so never out of a prefix).
 */

/** Characters that must never appear in a decoded path: controls (incl. NUL) and DEL. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f]/;

/**
 * The decoded, normalised form of `raw` (a path without query), or `undefined` when it is
 * malformed: not starting with `/`, invalid percent-encoding or UTF-8, or control characters.
 * A trailing slash is kept (`/foo` and `/foo/` are different paths); backslashes count as
 * slashes, as in WHATWG URLs.
 */
export function normalisePath(raw: string): string | undefined {
  if (raw.charCodeAt(0) !== 0x2f /* / */) return undefined;
  // One scan decides whether anything needs doing; most paths are already plain and normal.
  let needsDecode = false;
  let needsResolve = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 /* % */) needsDecode = true;
    else if (c === 0x5c /* \ */) needsResolve = true;
    else if (c === 0x2f /* / */) {
      const next = raw.charCodeAt(i + 1);
      if (next === 0x2f || next === 0x2e /* . */) needsResolve = true;
    } else if (c < 0x20 || c === 0x7f) return undefined;
  }
  if (!needsDecode && !needsResolve) return raw;
  let path = raw;
  if (needsDecode) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    if (FORBIDDEN.test(path)) return undefined;
  }
  if (path.includes('\\')) path = path.replaceAll('\\', '/');
  if (!path.includes('//') && !path.includes('/.')) return path;
  return resolveSegments(path);
}

function resolveSegments(path: string): string {
  return resolveParts(path.split('/'), (part) => part)!;
}

/**
 * Joins `parts` (index 0 is before the leading slash) as a normalised path: empty and "."
 * segments dropped, ".." removing the segment before it (never above the root), a trailing
 * slash kept. `segment` maps each part first (undefined: the path is malformed); the dot test
 * applies to what it returns.
 */
function resolveParts(
  parts: readonly string[],
  segment: (part: string) => string | undefined,
  encode: (part: string) => string = (part) => part,
): string | undefined {
  const out: string[] = [];
  let trailingSlash = false;
  for (let i = 1; i < parts.length; i++) {
    const part = segment(parts[i]!);
    if (part === undefined) return undefined;
    const last = i === parts.length - 1;
    if (part === '' || part === '.') {
      trailingSlash = last;
    } else if (part === '..') {
      out.pop();
      trailingSlash = last;
    } else {
      out.push(encode(part));
      trailingSlash = false;
    }
  }
  if (out.length === 0) return '/';
  return `/${out.join('/')}${trailingSlash ? '/' : ''}`;
}

/**
 * Why `path` cannot be registered, or `undefined` when it is a valid registration path: an
 * absolute, already normalised, plain (not percent-encoded) path without query or fragment.
 */
export function registrationPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return `is not a string (got ${typeof path})`;
  if (!path.startsWith('/')) return 'does not start with "/"; give the full absolute path';
  if (path.includes('?') || path.includes('#'))
    return 'contains "?" or "#"; register the path only, without query or fragment';
  if (path.includes('%'))
    return 'contains "%"; register the plain (decoded) path, requests are matched after decoding';
  if (FORBIDDEN.test(path) || /\s/.test(path)) return 'contains whitespace or control characters';
  const normal = normalisePath(path);
  if (normal !== path)
    return `is not normalised (no "//", "." or ".." segments, no backslashes); did you mean "${normal ?? '/'}"?`;
  return undefined;
}

const ENCODED_SLASH = /%2f|%5c/i;

/**
 * The path parameter routes are matched against when `raw` has an encoded slash (`%2F`, `%5C`),
 * or `undefined` when it has none (the normalised path then serves). `raw` is split on its
 * literal slashes only and each segment decoded on its own, so an encoded slash stays inside its
 * segment (a parameter value `a/b`) instead of making a segment boundary; dot and empty segments
 * resolve as in `normalisePath`. Each segment is then re-encoded minimally (`%` and the slashes
 * only), so the result has one "/" per boundary and static segments (never containing "%")
 * compare as they are; parameter values from it are decoded with `decodeURIComponent`.
 * `raw` must have passed `normalisePath`.
 */
export function encodedSlashRoutePath(raw: string): string | undefined {
  if (!raw.includes('%') || !ENCODED_SLASH.test(raw)) return undefined;
  return resolveParts(raw.split(/[/\\]/), decodeSegment, (part) =>
    part.replace(/[%/\\]/g, encodeSeparator),
  );
}

function decodeSegment(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function encodeSeparator(c: string): string {
  return c === '%' ? '%25' : c === '/' ? '%2F' : '%5C';
}

/** Whether `path` is `prefix` itself or below it, on a segment boundary (`/a` covers `/a/b`, not `/ab`). */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 0x2f;
}

/** A prefix without its trailing slash (`/a/` → `/a`; `/` stays). */
export function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
