/**
 * Wiring: what a module's decorators declared goes into the host's registries, through the
 * same registrars the imperative ModuleApi calls use.
 */
import type { CallbackRegistrar, WebRegistrar } from '../api/services.js';
import type { CacheRegistry } from '../cache/registry.js';
import type { PreparedModule } from './prepare.js';

/** Where decorated members go: the host's registries, or an isolated module's recorders. */
export interface WiringTargets {
  caches: Pick<CacheRegistry, 'wireInstance'>;
  callbacks: CallbackRegistrar;
  web: WebRegistrar;
}

/** Wires every declaration it can; returns the errors of those it could not (all of them). */
export function wireDecorated(
  prepared: Pick<PreparedModule, 'blueprint' | 'identity'>,
  instance: object,
  runtime: WiringTargets,
): unknown[] {
  const { blueprint, identity } = prepared;
  const members = instance as Record<string | symbol, unknown>;
  const errors: unknown[] = [];
  const attempt = (step: () => void) => {
    try {
      step();
    } catch (error) {
      errors.push(error);
    }
  };
  // Caches first: a method that is both @Cached and @Callback is registered in its cached form.
  if (blueprint.cached.length > 0)
    attempt(() => runtime.caches.wireInstance(identity, instance, blueprint.cached));
  for (const cb of blueprint.callbacks) {
    const method = members[cb.member] as Function;
    attempt(() =>
      runtime.callbacks.register(identity, cb.category, { [cb.name]: method.bind(instance) }),
    );
  }
  for (const res of blueprint.webResources) {
    const method = members[res.member] as Function;
    attempt(() => runtime.web.register(identity, res.path, method.bind(instance), res.options));
  }
  return errors;
}
