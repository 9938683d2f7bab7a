import { ownerClass, writeCallback } from './metadata.js';
import { checkInstanceMethod, describeType, misuse } from './checks.js';
import type {
  CallbackSignature,
  DecoratorCategoryArg,
  DecoratorNameArg,
} from './callback-types.js';

/**
 * Registers the decorated method as callback `name` of `category`. An unknown category or name
 * fails to compile, naming the valid ones; where the category declares types, a method whose
 * signature does not fit fails to compile. Host-defined categories: declare them (see
 * callback-types.ts) or pass `hostCategory('name')` to opt out of the checks.
 */
export function Callback<const C extends string, const N extends string>(
  category: DecoratorCategoryArg<C>,
  name: DecoratorNameArg<C, N>,
) {
  return function <T extends CallbackSignature<C, N>>(
    target: object,
    member: string | symbol,
    descriptor?: TypedPropertyDescriptor<T>,
  ): void {
    if (typeof category !== 'string' || category === '') {
      misuse(target, {
        decorator: '@Callback',
        member,
        problem: `category must be a non-empty string, got ${describeType(category)}`,
      });
      return;
    }
    if (typeof name !== 'string' || name === '') {
      misuse(target, {
        decorator: '@Callback',
        member,
        problem: `callback name must be a non-empty string, got ${describeType(name)}`,
      });
      return;
    }
    if (!checkInstanceMethod('@Callback', target, member, descriptor)) return;
    writeCallback(ownerClass(target), { category, name, member });
  };
}
