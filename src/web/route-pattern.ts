/**
 * Parameter routes: `/_synapse/client/rooms/:room_id/state/:event_type`. A segment written
 * `:name` matches exactly one non-empty path segment, whose decoded value arrives in
 * `context.params.name`. The types below derive the params object from the path string itself.
 */

/** The names of the `:name` segments of a path string, as a union. */
export type RouteParamNames<P extends string> = P extends `${string}/:${infer Rest}`
  ? Rest extends `${infer Name}/${infer Tail}`
    ? Name | RouteParamNames<`/${Tail}`>
    : Rest
  : never;

/**
 * `context.params` for a route registered at `P`: `{ room_id: string; event_type: string }` for
 * `/rooms/:room_id/state/:event_type`, `{}` without parameters, any names for a plain `string`.
 */
export type RouteParams<P extends string = string> = string extends P
  ? Readonly<Record<string, string>>
  : { readonly [K in RouteParamNames<P>]: string };

/** What `context.params` is for exact and prefix resources (shared, frozen). */
export const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A parsed parameter pattern. */
export interface RoutePattern {
  /** The segments after the leading `/`; a parameter segment is `undefined`. */
  segments: Array<string | undefined>;
  /** Parameter names with the index of the segment each one takes. */
  params: Array<{ name: string; index: number }>;
}

/** Builds a route's params object from where each value starts and ends in `path`. */
export type ParamsFactory = (
  path: string,
  starts: readonly number[],
  ends: readonly number[],
) => Record<string, string>;

/**
 * Factories by their names list: routes with the same names (every `/rooms/:room_id/...` of a
 * deployment) share one, so their params objects share one hidden class (an object literal's
 * class belongs to the literal), handlers reading `params.room_id` stay monomorphic, and the
 * registry's one call site calls one function instead of one per route. Grows only at load.
 */
const factories = new Map<string, ParamsFactory>();

/**
 * The params factory for a route with parameters `names` (valid names, see parsePattern): an
 * object literal with the names as constant keys, compiled once per names list, so every params
 * object of a route has one hidden class from birth (assigning computed keys one by one walks
 * shape transitions on every request, and reads of the result stay polymorphic).
 */
export function paramsFactory(names: readonly string[]): ParamsFactory {
  const key = names.join('/');
  let factory = factories.get(key);
  if (factory === undefined) factories.set(key, (factory = compileFactory(names)));
  return factory;
}

function compileFactory(names: readonly string[]): ParamsFactory {
  for (const name of names)
    if (!PARAM_NAME.test(name) || name === '__proto__')
      throw new TypeError(`not a parameter name: ${JSON.stringify(name)}`);
  const fields = names.map((name, i) => `${JSON.stringify(name)}: p.slice(s[${i}], e[${i}])`);
  // Names are checked above, so the generated source holds only quoted identifiers.
  return new Function('p', 's', 'e', `return { ${fields.join(', ')} };`) as ParamsFactory;
}

/** Whether `path` (already a valid registration path) has `:name` segments. */
export function hasParams(path: string): boolean {
  return path.includes('/:');
}

/**
 * The pattern of `path`, or a problem phrased to follow "which ..." (as the other path problems):
 * a bad or repeated name, or a parameter mixed with text inside one segment.
 */
export function parsePattern(path: string): RoutePattern | string {
  const segments: Array<string | undefined> = [];
  const params: Array<{ name: string; index: number }> = [];
  const seen = new Set<string>();
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.startsWith(':')) {
      segments.push(part);
      continue;
    }
    const name = part.slice(1);
    if (!PARAM_NAME.test(name) || name === '__proto__')
      return `has the parameter segment "${part}"; a parameter is ":" and a name of letters, digits and "_" (not starting with a digit), and takes a whole segment`;
    if (seen.has(name)) return `uses the parameter ":${name}" twice; give each one its own name`;
    seen.add(name);
    params.push({ name, index: segments.length });
    segments.push(undefined);
  }
  return { segments, params };
}

/**
 * Whether some path matching `pattern` is `prefix` itself or below it: then the pattern could
 * serve a reserved path, which is refused as a plain path under the prefix is.
 */
export function patternReaches(pattern: RoutePattern, prefix: string): boolean {
  if (prefix === '/') return true;
  const wanted = prefix.split('/');
  if (pattern.segments.length < wanted.length - 1) return false;
  for (let i = 1; i < wanted.length; i++) {
    const seg = pattern.segments[i - 1];
    if (seg !== undefined && seg !== wanted[i]) return false;
  }
  return true;
}
