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

/** The first part of `value` that cannot cross a thread intact, or undefined. */
export function crossingProblem(value: unknown, where = ''): CrossingProblem | undefined {
  // The common case (strings, numbers, flat plain objects) costs one typeof.
  if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
    return undefined;
  return walk(value, where, new Set());
}
