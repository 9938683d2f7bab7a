/**
 * A module's own providers as `modhost check` and `inspect --json` show them: each token by name,
 * how it is made, its lifetime, and whether later modules may inject it (`exports`).
 */
import type { InjectionToken } from '../../decorators/metadata.js';
import { tokenName } from '../errors/injection-messages.js';
import type { ModuleProvider } from './module-providers.js';

export interface ProviderDescription {
  token: string;
  kind: 'class' | 'value' | 'factory';
  /** For class providers: tsyringe's lifetime (one per module unless the provider asks). */
  lifecycle?: 'module' | 'transient' | 'resolution';
  exported: boolean;
}

// tsyringe's Lifecycle numbers; Singleton (1) and ContainerScoped (3) are both one per module.
const LIFECYCLES = { 0: 'transient', 1: 'module', 2: 'resolution', 3: 'module' } as const;

export function describeProviders(
  providers: readonly ModuleProvider[],
  exports: readonly InjectionToken[],
): ProviderDescription[] {
  return providers.map((p) => {
    const exported = exports.includes(p.provide);
    const token = tokenName(p.provide);
    if ('useValue' in p) return { token, kind: 'value', exported };
    if ('useFactory' in p) return { token, kind: 'factory', exported };
    return { token, kind: 'class', lifecycle: LIFECYCLES[p.lifecycle ?? 1], exported };
  });
}
