/** Every message the callback registry and the category API produce. */
import { didYouMean } from './suggest.js';

function list(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? '(none)' : all.join(', ');
}

export function invalidCategoryMessage(category: string, problems: readonly string[]): string {
  return `Callback category "${category}" is invalid:\n  - ${problems.join('\n  - ')}`;
}

export function duplicateCategoryMessage(category: string): string {
  return `Callback category "${category}" is defined twice; give host-defined categories names of their own.`;
}

export function unknownCategoryMessage(
  module: string,
  category: string,
  known: Iterable<string>,
): string {
  const names = [...known];
  return (
    `Module "${module}" registers callbacks of unknown category "${category}"` +
    `${didYouMean(category, names)}. Valid categories: ${list(names)}.`
  );
}

export function unknownCallbackMessage(
  module: string,
  category: string,
  name: string,
  known: Iterable<string>,
): string {
  const names = [...known];
  return (
    `Module "${module}" registers unknown callback "${name}" of category "${category}"` +
    `${didYouMean(name, names)}. Valid callbacks of "${category}": ${list(names)}.`
  );
}

export function unknownRunTargetMessage(
  category: string,
  name: string,
  known: Iterable<string>,
): string {
  const names = [...known];
  return (
    `No callback "${category}.${name}" exists${didYouMean(`${category}.${name}`, names)}; ` +
    `check the category and callback names passed to run()/has().`
  );
}

export function callbacksNotObjectMessage(module: string, category: string, got: string): string {
  return `Module "${module}" registers callbacks of "${category}" with ${got}; pass an object mapping callback names to functions.`;
}

export function callbackNotFunctionMessage(
  module: string,
  category: string,
  name: string,
  got: string,
): string {
  return `Module "${module}" registers callback "${category}.${name}" with ${got}; it must be a function.`;
}

export function callbackValueRejectedMessage(
  module: string,
  category: string,
  name: string,
  problem: string,
): string {
  return `Module "${module}" registers "${category}.${name}" wrongly: ${problem}`;
}

export function onceViolatedMessage(
  module: string,
  category: string,
  name: string,
  holder: string,
): string {
  return (
    `Module "${module}" registers "${category}.${name}", which module "${holder}" already registered; ` +
    `only one module may provide it. Remove it from one of the two modules.`
  );
}

export function onceIgnoredMessage(category: string, name: string, holder: string): string {
  return `"${category}.${name}" is already registered by module "${holder}"; this registration is ignored (only one is allowed).`;
}

export function exclusiveViolatedMessage(module: string, category: string, holder: string): string {
  return (
    `Module "${module}" registers "${category}" callbacks, but module "${holder}" already provides ` +
    `that category and only one module may. Remove one of the two modules or its registration.`
  );
}

export function exclusiveIgnoredMessage(category: string, holder: string): string {
  return `Callbacks of "${category}" are already provided by module "${holder}"; this module's registration is ignored (only one module may provide them).`;
}

export function conflictMessage(
  module: string,
  category: string,
  name: string,
  holder: string,
  reason: string,
): string {
  return (
    `Module "${module}" conflicts with module "${holder}" on "${category}.${name}": ${reason}. ` +
    `Refusing to start; make the two modules agree or remove one.`
  );
}

export function pairIncompleteMessage(
  module: string,
  category: string,
  registered: readonly string[],
  missing: readonly string[],
): string {
  return (
    `Module "${module}" registers ${registered.map((n) => `"${category}.${n}"`).join(', ')} ` +
    `without ${missing.map((n) => `"${category}.${n}"`).join(', ')}; these callbacks must be registered together.`
  );
}

export function registrationClosedMessage(module: string, category: string): string {
  return `Module "${module}" registers "${category}" callbacks after the host finished wiring modules; register callbacks in the constructor (or with @Callback).`;
}

export function callbackFailedMessage(category: string, name: string): string {
  return `Callback "${category}.${name}" failed`;
}

export function callbackTimeoutMessage(
  module: string,
  category: string,
  name: string,
  ms: number,
): string {
  return `Callback "${category}.${name}" of module "${module}" did not settle within ${ms} ms (callback_timeout).`;
}

export function moduleFailedMessage(name: string): string {
  return `Failed to run \`${name}\` module API callback`;
}

export function badResultMessage(
  module: string,
  category: string,
  name: string,
  expected: string,
  got: unknown,
): string {
  return `Callback "${category}.${name}" of module "${module}" returned ${describeValue(got)}; expected ${expected}.`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`;
  if (typeof value === 'object')
    return `an object (${value.constructor?.name ?? 'null prototype'})`;
  return `${typeof value} ${String(value)}`;
}
