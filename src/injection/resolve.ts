/**
 * Resolves one constructor parameter the way tsyringe's own `resolveParams` does (optional,
 * multiple, transform), in a module's container. Failures are reported by the caller, which
 * knows the module, class and parameter.
 */
import type { DependencyContainer } from 'tsyringe';
import type { Class, InjectionToken } from '../../decorators/metadata.js';
import { injectionErrors } from '../errors/injection-messages.js';
import { ModhostError } from '../errors/modhost-error.js';
import type { ParameterSpec } from './parameters.js';

/** Types that erase to something no container provides by type. */
const UNINJECTABLE = new Set<unknown>([Object, String, Number, Boolean, Array, Function]);

/** Thrown when nothing can provide the token (no cause to add). */
export class Unresolvable extends Error {}

interface FullContainer {
  resolve(token: unknown, context?: unknown, isOptional?: boolean): unknown;
  resolveAll(token: unknown, context?: unknown, isOptional?: boolean): unknown[];
}

function isNormalToken(token: unknown): token is string | symbol {
  return typeof token === 'string' || typeof token === 'symbol';
}

function resolveOne(container: DependencyContainer, token: InjectionToken, optional: boolean) {
  if (container.isRegistered(token as never, true)) return container.resolve(token as never);
  // tsyringe's isOptional covers unregistered string and symbol tokens only; a class is built.
  if (isNormalToken(token)) {
    if (optional) return undefined;
    throw new Unresolvable();
  }
  // tsyringe's `delay(() => Class)` (a DelayedConstructor object): tsyringe builds a lazy proxy.
  if (typeof token === 'object' && token !== null) return container.resolve(token as never);
  if (typeof token !== 'function' || UNINJECTABLE.has(token)) throw new Unresolvable();
  // An unregistered class may still be constructible by tsyringe (@injectable() on it).
  return container.resolve(token as Class);
}

export function resolveParameter(container: DependencyContainer, spec: ParameterSpec): unknown {
  const { token } = spec;
  if (token === undefined || token === Object) throw new Unresolvable();
  const optional = spec.optional ?? false;
  let value: unknown;
  if (spec.multiple) {
    // tsyringe: every registration (nearest container that has any), [] when optional and none.
    value = (container as unknown as FullContainer).resolveAll(token, undefined, optional);
  } else value = resolveOne(container, token, optional);
  if (!spec.transform) return value;
  const transformer = container.resolve(spec.transform.transformer as never) as {
    transform(value: unknown, ...args: unknown[]): unknown;
  };
  return transformer.transform(value, ...spec.transform.args);
}

/** Resolves every parameter of `className`'s constructor; a failure names module, class and parameter. */
export function resolveArguments(
  container: DependencyContainer,
  moduleName: string,
  className: string,
  parameters: readonly ParameterSpec[],
): unknown[] {
  return parameters.map((spec) => {
    try {
      return resolveParameter(container, spec);
    } catch (err) {
      // A provider's own located error (cycle, missing metadata, ...) is passed on as it is.
      if (err instanceof ModhostError) throw err;
      throw injectionErrors.unresolvable(
        moduleName,
        className,
        spec.index,
        spec.token,
        err instanceof Unresolvable ? undefined : err,
      );
    }
  });
}
