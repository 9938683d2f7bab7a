/**
 * Builds a module: one tsyringe child container per module holding its ModuleApi, config and
 * logger, its own providers and what earlier modules export to it, on top of the host's
 * providers; constructor parameters resolved from it as tsyringe would (by type, `@Inject`,
 * tsyringe's `@inject` family). We resolve parameters ourselves (rather than
 * `container.resolve(Class)`) so a failure names the module, the class, the parameter index and
 * the fix, and modules need no @injectable().
 */
import type { DependencyContainer } from 'tsyringe';
import type { InjectionToken } from '../../decorators/metadata.js';
import { ModuleApi } from '../api/module-api.js';
import { injectionErrors } from '../errors/injection-messages.js';
import type { Logger } from '../logging/logger.js';
import type { ModuleBlueprint } from '../scanning/blueprint.js';
import { type ModuleProvider, ModuleProviders } from './module-providers.js';
import { resolveArguments } from './resolve.js';
import { MODULE_CONFIG, MODULE_LOGGER } from './tokens.js';
import { ModuleDatabase } from '../database/types.js';

export interface ModuleInjectables {
  api: ModuleApi;
  /** The validated config: an instance of the config class, or the parsed mapping. */
  config: unknown;
  logger: Logger;
  /** Services earlier modules export to this one: token → how to get it from the exporter. */
  imports?: ReadonlyMap<InjectionToken, () => unknown>;
  /** Replacements registered last (the testing kit's `overrides`). */
  overrides?: readonly ModuleProvider[];
}

export interface ModuleContainer {
  container: DependencyContainer;
  providers: ModuleProviders;
}

export function createModuleContainer(
  hostContainer: DependencyContainer,
  blueprint: ModuleBlueprint,
  injectables: ModuleInjectables,
): ModuleContainer {
  const child = hostContainer.createChildContainer();
  child.register(ModuleApi, { useValue: injectables.api });
  child.register(MODULE_CONFIG, { useValue: injectables.config });
  child.register(MODULE_LOGGER, { useValue: injectables.logger });
  // A factory: the namespace is made on first injection, not for every module.
  child.register(ModuleDatabase as never, { useFactory: () => injectables.api.database });
  if (blueprint.configClass)
    child.register(blueprint.configClass, { useValue: injectables.config });
  for (const [token, get] of injectables.imports ?? [])
    child.register(token as never, { useFactory: get });
  const providers = new ModuleProviders(blueprint.name, child);
  providers.register(blueprint.providers);
  providers.register(injectables.overrides ?? []);
  return { container: child, providers };
}

/** Resolves every constructor parameter, then constructs the module. */
export function instantiateModule(blueprint: ModuleBlueprint, built: ModuleContainer): object {
  const { container, providers } = built;
  const args = providers.withinResolution(() =>
    resolveArguments(container, blueprint.name, blueprint.cls.name, blueprint.parameters),
  );
  try {
    return new blueprint.cls(...args);
  } catch (err) {
    throw injectionErrors.constructorFailed(blueprint.name, blueprint.cls.name, err);
  }
}
