/**
 * The testing kit's overrides (NestJS's `overrideProvider`): replace one module's provider, its
 * HTTP client or its clock. A provider override is registered after the module's own providers,
 * so it wins over them, over earlier modules' exports and over the host's providers.
 */
import type { DependencyContainer } from 'tsyringe';
import type { Class } from '../../decorators/metadata.js';
import { HttpClient } from '../api/http-client.js';
import type { Clock } from '../clock/clock.js';
import { providerErrors } from '../errors/provider-messages.js';
import type { ModuleProvider } from './module-providers.js';
import { CLOCK } from './tokens.js';

/** One replacement: which module (name or class), then a provider as in `@Module({ providers })`. */
export type ModuleOverride = { module: string | Class } & ModuleProvider;

export interface ModuleOverrides {
  providers: ModuleProvider[];
  http?: HttpClient;
  clock?: Clock;
}

function valueOf(o: ModuleProvider, container: DependencyContainer): unknown {
  if ('useValue' in o) return o.useValue;
  if ('useFactory' in o) return o.useFactory(container);
  return new o.useClass();
}

/** Checks every override names a module, then splits them by module. */
export function groupOverrides(
  overrides: readonly ModuleOverride[],
  modules: readonly { name: string; cls: Class }[],
): (container: DependencyContainer, module: { name: string; cls: Class }) => ModuleOverrides {
  for (const o of overrides) {
    if (!modules.some((m) => m.name === o.module || m.cls === o.module)) {
      const what =
        typeof o.module === 'string' ? `module "${o.module}"` : `class ${o.module?.name}`;
      throw providerErrors.unknownOverrideModule(
        what,
        modules.map((m) => m.name),
      );
    }
  }
  return (container, module) => {
    const result: ModuleOverrides = { providers: [] };
    for (const { module: which, ...provider } of overrides) {
      if (which !== module.name && which !== module.cls) continue;
      const p = provider as ModuleProvider;
      if (p.provide === HttpClient) result.http = valueOf(p, container) as HttpClient;
      else if (p.provide === CLOCK) result.clock = valueOf(p, container) as Clock;
      result.providers.push(p);
    }
    return result;
  };
}
