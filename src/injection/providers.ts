/** What hosts pass to `ModuleHost.create({ providers })`, registered for every module. */
import type { DependencyContainer } from 'tsyringe';
import type { Class, InjectionToken } from '../../decorators/metadata.js';

export type Provider =
  | { provide: InjectionToken; useValue: unknown }
  | { provide: InjectionToken; useClass: Class }
  | { provide: InjectionToken; useFactory: (container: DependencyContainer) => unknown };

export function registerProvider(container: DependencyContainer, provider: Provider): void {
  const token = provider.provide as never;
  if ('useValue' in provider) container.register(token, { useValue: provider.useValue });
  else if ('useClass' in provider) container.register(token, { useClass: provider.useClass });
  else if ('useFactory' in provider) container.register(token, { useFactory: provider.useFactory });
}
