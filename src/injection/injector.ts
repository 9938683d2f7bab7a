/**
 * Builds a module: one tsyringe child container per module holding its ModuleApi, config and
 * logger on top of the host's providers; constructor parameters resolved from it by type.
 * We resolve parameters ourselves (rather than `container.resolve(Class)`) so a failure names
 * the module, the class, the parameter index and the fix, and modules need no @injectable().
 */
import type { DependencyContainer } from 'tsyringe';
import type { Class } from '../../decorators/metadata.js';
import { ModuleApi } from '../api/module-api.js';
import { injectionErrors } from '../errors/injection-messages.js';
import type { Logger } from '../logging/logger.js';
import type { ModuleBlueprint } from '../scanning/blueprint.js';
import { MODULE_CONFIG, MODULE_LOGGER } from './tokens.js';
import { ModuleDatabase } from '../database/types.js';

export interface ModuleInjectables {
  api: ModuleApi;
  /** The validated config: an instance of the config class, or the parsed mapping. */
  config: unknown;
  logger: Logger;
}

export function createModuleContainer(
  hostContainer: DependencyContainer,
  blueprint: ModuleBlueprint,
  injectables: ModuleInjectables,
): DependencyContainer {
  const child = hostContainer.createChildContainer();
  child.register(ModuleApi, { useValue: injectables.api });
  child.register(MODULE_CONFIG, { useValue: injectables.config });
  child.register(MODULE_LOGGER, { useValue: injectables.logger });
  // A factory: the namespace is made on first injection, not for every module.
  child.register(ModuleDatabase as never, { useFactory: () => injectables.api.database });
  if (blueprint.configClass)
    child.register(blueprint.configClass, { useValue: injectables.config });
  return child;
}

/** Resolves every constructor parameter, then constructs the module. */
export function instantiateModule(
  blueprint: ModuleBlueprint,
  container: DependencyContainer,
): object {
  const args = blueprint.parameters.map(({ index, token }) => {
    const fail = (cause?: unknown) =>
      injectionErrors.unresolvable(blueprint.name, blueprint.cls.name, index, token, cause);
    if (token === undefined || token === Object) throw fail();
    if (container.isRegistered(token as never, true)) return container.resolve(token as never);
    // An unregistered class may still be constructible by tsyringe (@injectable() on it).
    if (
      typeof token === 'function' &&
      ![String, Number, Boolean, Array, Function].includes(token as never)
    ) {
      try {
        return container.resolve(token as Class);
      } catch (err) {
        throw fail(err);
      }
    }
    throw fail();
  });
  try {
    return new blueprint.cls(...args);
  } catch (err) {
    throw injectionErrors.constructorFailed(blueprint.name, blueprint.cls.name, err);
  }
}
