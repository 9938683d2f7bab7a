import { ownerClass, writeCallback } from './metadata.js';
import { checkInstanceMethod, describeType, misuse } from './checks.js';
import type { CallbackSignature } from './callback-types.js';

/**
 * Registers the decorated method as callback `name` of `category`. Where the category declares
 * types, a method whose signature does not fit fails to compile.
 */
export function Callback<C extends string, N extends string>(category: C, name: N) {
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
