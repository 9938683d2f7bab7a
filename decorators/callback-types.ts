/**
 * Compile-time signatures of callbacks, per category. The built-in Synapse pack is merged in;
 * hosts that define their own categories augment `CallbackCategories`:
 *
 *   declare module 'modhost/decorators' {
 *     interface CallbackCategories { my_category: { on_thing: (id: string) => Promise<void> } }
 *   }
 */
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
    : never
  : AnyCallback;
