/**
 * Python's truthiness, for the callbacks whose Synapse code tests a result with `if result:`.
 * JavaScript disagrees on containers: `{}` and `[]` are truthy in JavaScript but falsy in
 * Python, so a module returning an empty dict must let the next module answer, as in Synapse.
 */

/**
 * Whether Python would treat `value` as false: null/undefined (None), false, 0 (NaN is truthy
 * in Python), an empty string, and empty containers: a list, a plain object (dict), a Map or Set.
 * Any other object (a class instance, a Date) is truthy, as Python objects are by default.
 */
export function isPythonFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  switch (typeof value) {
    case 'number':
      return value === 0;
    case 'bigint':
      return value === 0n;
    case 'string':
      return value.length === 0;
    case 'object':
      if (Array.isArray(value)) return value.length === 0;
      if (value instanceof Map || value instanceof Set) return value.size === 0;
      return isPlainObject(value) && Object.keys(value).length === 0;
    default:
      return false;
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
