/**
 * Compile-time checks of category and callback names. A misspelled name is a type error whose
 * text names the bad string and lists the valid ones, e.g.
 *   Argument of type '"spam_checkr"' is not assignable to parameter of type
 *   '"unknown callback category 'spam_checkr'; known categories: spam_checker, ..."'.
 * Host-defined categories are not known to the types unless declared; `hostCategory(name)` (or
 * the `name` of what `defineCategory` returns) is the explicit escape hatch that opts out.
 */
declare const HOST_CATEGORY: unique symbol;

/** A category name the types do not check: a host-defined category, or a name known only at run time. */
export type HostCategory<N extends string = string> = N & { readonly [HOST_CATEGORY]: true };

/** Marks `name` as a host-defined category for `host.callbacks.run` and `@Callback` (no run-time effect). */
export function hostCategory<const N extends string>(name: N): HostCategory<N> {
  return name as HostCategory<N>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;
type LastOf<U> =
  UnionToIntersection<U extends unknown ? () => U : never> extends () => infer L ? L : never;

/** `'a' | 'b' | 'c'` → `'a, b, c'` (for error texts). */
export type JoinNames<U extends string> = [U] extends [never]
  ? ''
  : [Exclude<U, LastOf<U>>] extends [never]
    ? LastOf<U> & string
    : `${JoinNames<Exclude<U, LastOf<U>>>}, ${LastOf<U> & string}`;

/** The category argument: a known category, a HostCategory, or an error text naming both. */
export type CategoryArg<C extends string, Known extends string> = C extends HostCategory
  ? C
  : C extends Known
    ? C
    : `unknown callback category '${C}'; known categories: ${JoinNames<Known>} (for a host-defined category, pass hostCategory('${C}'))`;

/** The callback-name argument of a known category: one of its names, or an error text listing them. */
export type CallbackNameArg<
  C extends string,
  N extends string,
  Names extends string,
> = C extends HostCategory
  ? N
  : N extends Names
    ? N
    : `'${N}' is not a callback of ${C}; its callbacks: ${JoinNames<Names>}`;
