import { type CachedOptions, ownerClass, writeCached } from './metadata.js';
import { checkInstanceMethod, describeType, misuse } from './checks.js';

type Check = (value: unknown) => boolean;
const positiveInt: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const nonNegativeInt: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const bool: Check = (v) => typeof v === 'boolean';
const duration: Check = (v) =>
  (typeof v === 'number' && v > 0) || (typeof v === 'string' && v !== '');

const OPTION_CHECKS: Record<keyof CachedOptions, [Check, string]> = {
  maxEntries: [positiveInt, 'a positive integer'],
  numArgs: [nonNegativeInt, 'a non-negative integer'],
  tree: [bool, 'a boolean'],
  iterable: [bool, 'a boolean'],
  ttl: [duration, "a positive number of milliseconds or a duration string such as '5m'"],
  name: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  key: [(v) => typeof v === 'function', 'a function returning the key parts'],
};

/** Memoises the decorated method per instance, with Synapse's `@cached` semantics. */
export function Cached(options: CachedOptions = {}): MethodDecorator {
  return (target, member, descriptor) => {
    const where = { decorator: '@Cached', member };
    if (!checkInstanceMethod('@Cached', target, member, descriptor)) return;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      misuse(target, {
        ...where,
        problem: `options must be an object, got ${describeType(options)}`,
      });
      return;
    }
    for (const [key, value] of Object.entries(options)) {
      const check = OPTION_CHECKS[key as keyof CachedOptions];
      if (!check) {
        misuse(target, {
          ...where,
          problem: `unknown option "${key}"; valid options are ${Object.keys(OPTION_CHECKS).join(', ')}`,
        });
        return;
      }
      if (value !== undefined && !check[0](value)) {
        misuse(target, {
          ...where,
          problem: `option ${key} must be ${check[1]}, got ${JSON.stringify(value) ?? describeType(value)}`,
        });
        return;
      }
    }
    writeCached(ownerClass(target), { member, options: { ...options } });
  };
}
