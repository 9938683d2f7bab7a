/**
 * What can cross a thread. postMessage's structured clone silently turns a class instance into
 * a plain object (its methods and prototype gone) and throws an opaque DataCloneError on a
 * function; both are checked here first so the error names the module, the call and the exact
 * place in the value.
 */

/** Why `value` cannot cross, with where in it (`.content.body`, `[2]`), or undefined. */
export interface CrossingProblem {
  where: string;
  problem: string;
}

const ERROR_TYPES = new Set<unknown>([
  Error.prototype,
  TypeError.prototype,
  RangeError.prototype,
  SyntaxError.prototype,
  ReferenceError.prototype,
  EvalError.prototype,
  URIError.prototype,
]);

function describeInstance(value: object): string {
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return `an instance of class ${name || '(anonymous)'}, which has no codec (its methods and prototype would be lost)`;
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

function walk(value: unknown, where: string, seen: Set<object>): CrossingProblem | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return undefined;
    case 'function':
      return { where, problem: `a function (${value.name || 'anonymous'})` };
    case 'symbol':
      return { where, problem: `a symbol (${String(value)})` };
  }
  if (value === null) return undefined;
  const obj = value as object;
  if (seen.has(obj)) return undefined;
  seen.add(obj);
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto === Object.prototype || proto === null) {
    for (const k of Object.keys(obj)) {
      const found = walk((obj as Record<string, unknown>)[k], where + key(k), seen);
      if (found) return found;
    }
    return undefined;
  }
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const found = walk(obj[i], `${where}[${i}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (obj instanceof Map) {
    for (const [k, v] of obj) {
      const found = walk(k, `${where}<key>`, seen) ?? walk(v, `${where}.get(${String(k)})`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (obj instanceof Set) {
    for (const v of obj) {
      const found = walk(v, `${where}<item>`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (
    obj instanceof Date ||
    obj instanceof RegExp ||
    obj instanceof ArrayBuffer ||
    ArrayBuffer.isView(obj) ||
    ERROR_TYPES.has(proto)
  )
    return undefined;
  return { where, problem: describeInstance(obj) };
}

/** Nesting the quick check follows before it leaves the value to the full walk (cycles). */
const QUICK_DEPTH = 32;

/**
 * Whether `value` is plainly fine: primitives, plain objects and arrays of them, shallow enough
 * to need no cycle check. Every call into an isolated module checks its arguments, so the usual
 * case must not build the paths and the seen-set the full walk needs to describe a problem.
 */
function quickOk(value: unknown, depth: number): boolean {
  if (typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (value === null) return true;
  if (depth === QUICK_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!quickOk(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) return false;
    if (!quickOk((value as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/** The first part of `value` that cannot cross a thread intact, or undefined. */
export function crossingProblem(value: unknown, where = ''): CrossingProblem | undefined {
  // The common case (strings, numbers, plain data) is settled by the quick check.
  if (quickOk(value, 0)) return undefined;
  return walk(value, where, new Set());
}
