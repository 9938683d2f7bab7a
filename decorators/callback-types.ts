/**
 * Compile-time signatures of callbacks, per category. The built-in Synapse pack is merged in;
 * hosts that define their own categories augment `CallbackCategories`:
 *
 *   declare module 'modhost/decorators' {
 *     interface CallbackCategories { my_category: { on_thing: (id: string) => Promise<void> } }
 *   }
 */
import type { CallbackNameArg, CategoryArg } from '../src/categories/names.js';
import type { SynapseCallbackSignatures } from '../src/categories/synapse/signatures.js';

export interface CallbackCategories extends SynapseCallbackSignatures {}

type AnyCallback = (...args: any[]) => unknown;

/** The declared signature for `category.name`, or any function where nothing is declared. */
export type CallbackSignature<
  C extends string,
  N extends string,
> = C extends keyof CallbackCategories
  ? N extends keyof CallbackCategories[C]
    ? CallbackCategories[C][N] extends AnyCallback
      ? CallbackCategories[C][N]
      : AnyCallback
    : AnyCallback // an unknown name is reported by DecoratorNameArg, naming the valid ones
  : AnyCallback;

/** The category argument of `@Callback`: a declared category, or `hostCategory(name)`. */
export type DecoratorCategoryArg<C extends string> = CategoryArg<
  C,
  keyof CallbackCategories & string
>;

/** The name argument of `@Callback`: one of the category's declared callbacks. */
export type DecoratorNameArg<
  C extends string,
  N extends string,
> = C extends keyof CallbackCategories
  ? CallbackNameArg<C, N, keyof CallbackCategories[C] & string>
  : N;
