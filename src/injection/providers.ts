/**
 * What hosts pass to `ModuleHost.create({ providers })`, registered once in the host's container
 * so every module shares them: a `useClass` provider is built once (one database pool for the
 * host, as NestJS providers are singletons by default), not once per module.
 */
import type { DependencyContainer } from 'tsyringe';
import { instanceCachingFactory, Lifecycle } from '../deps/tsyringe.js';
import type { Class, InjectionToken } from '../../decorators/metadata.js';

export type Provider =
  | { provide: InjectionToken; useValue: unknown }
  | { provide: InjectionToken; useClass: Class }
  | { provide: InjectionToken; useFactory: (container: DependencyContainer) => unknown };

export function registerProvider(container: DependencyContainer, provider: Provider): void {
  const token = provider.provide as never;
  if ('useValue' in provider) container.register(token, { useValue: provider.useValue });
  else if ('useClass' in provider)
    container.register(token, { useClass: provider.useClass }, { lifecycle: Lifecycle.Singleton });
  else if ('useFactory' in provider)
    container.register(token, { useFactory: instanceCachingFactory(provider.useFactory) });
}
