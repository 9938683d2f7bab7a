/**
 * A module's own services (`@Module({ providers })`), as NestJS module providers: registered in
 * the module's child container, so they see its ModuleApi, config and the host's providers, and
 * nothing outside the module sees them unless it exports them.
 *
 * Classes are built here rather than by tsyringe so they need no `@injectable()` and a failure
 * names the module, the provider and the parameter. A class provider is one instance per module
 * (shared by the module and its other providers) unless it asks for tsyringe's Transient or
 * ResolutionScoped lifetime. Whatever the module's container built is disposed with the module,
 * newest first: `onStop()` then `dispose()`, each awaited.
 */
import type { DependencyContainer } from 'tsyringe';
import type { Class, InjectionToken, ProviderLifecycle } from '../../decorators/metadata.js';
import { ModhostError } from '../errors/modhost-error.js';
import { providerErrors } from '../errors/provider-messages.js';
import { readConstructorParameters } from './parameters.js';
import { resolveArguments } from './resolve.js';

const TRANSIENT = 0;
const RESOLUTION_SCOPED = 2;

export type ModuleProvider =
  | { provide: InjectionToken; useValue: unknown }
  | { provide: InjectionToken; useClass: Class; lifecycle?: ProviderLifecycle }
  | { provide: InjectionToken; useFactory: (container: DependencyContainer) => unknown };

const isToken = (t: unknown): t is InjectionToken =>
  typeof t === 'string' || typeof t === 'symbol' || typeof t === 'function';

/** Normalises and checks `providers`/`exports` as written in `@Module`; throws the first problem. */
export function scanModuleProviders(
  moduleName: string,
  providers: readonly unknown[] = [],
  exports: readonly unknown[] = [],
): { providers: ModuleProvider[]; exports: InjectionToken[] } {
  const out: ModuleProvider[] = [];
  providers.forEach((p, i) => {
    const fail = (problem: string) => providerErrors.invalid(moduleName, i, problem);
    if (typeof p === 'function') {
      out.push({ provide: p as Class, useClass: p as Class });
      return;
    }
    if (typeof p !== 'object' || p === null) throw fail(`is ${p === null ? 'null' : typeof p}`);
    const o = p as Record<string, unknown>;
    if (!isToken(o.provide)) throw fail('has no `provide` token (a class, string or symbol)');
    const kinds = ['useValue', 'useClass', 'useFactory'].filter((k) => k in o);
    if (kinds.length !== 1)
      throw fail(
        kinds.length === 0
          ? 'has none of useValue, useClass, useFactory'
          : `has ${kinds.join(' and ')}; give exactly one`,
      );
    if ('useClass' in o && typeof o.useClass !== 'function') throw fail('useClass is not a class');
    if ('useFactory' in o && typeof o.useFactory !== 'function')
      throw fail('useFactory is not a function');
    if ('lifecycle' in o && ![0, 1, 2, 3].includes(o.lifecycle as number))
      throw fail('lifecycle is not one of tsyringe’s Lifecycle values');
    out.push(o as ModuleProvider);
  });
  const tokens = out.map((p) => p.provide);
  const dup = tokens.find((t, i) => tokens.indexOf(t) !== i);
  if (dup !== undefined) throw providerErrors.duplicate(moduleName, dup);
  for (const token of exports) {
    if (!tokens.includes(token as InjectionToken))
      throw providerErrors.exportNotProvided(moduleName, token, tokens);
  }
  return { providers: out, exports: exports as InjectionToken[] };
}

/** Every token a module's constructor or its class providers ask for (to check exports' order). */
export function neededTokens(
  parameters: readonly { token: InjectionToken | undefined }[],
  providers: readonly ModuleProvider[],
): InjectionToken[] {
  const needed = parameters.map((p) => p.token);
  for (const p of providers) {
    if ('useClass' in p)
      needed.push(...readConstructorParameters(p.useClass).parameters.map((s) => s.token));
  }
  return needed.filter((t): t is InjectionToken => t !== undefined);
}

interface Built {
  token: InjectionToken;
  instance: unknown;
}

/** The providers of one module: builds them on demand and disposes what it built. */
export class ModuleProviders {
  private readonly built: Built[] = [];
  private readonly building: InjectionToken[] = [];
  /** Instances shared within one top-level resolution (tsyringe's ResolutionScoped). */
  private resolution?: Map<InjectionToken, unknown>;

  constructor(
    private readonly moduleName: string,
    private readonly container: DependencyContainer,
  ) {}

  /** Registers each provider in the module's container (later registrations replace earlier). */
  register(providers: readonly ModuleProvider[]): void {
    for (const p of providers) {
      const token = p.provide as never;
      if ('useValue' in p) this.container.register(token, { useValue: p.useValue });
      else if ('useClass' in p) this.registerClass(p.provide, p.useClass, p.lifecycle);
      else this.registerFactory(p.provide, p.useFactory);
    }
  }

  /** Runs `fn` as one resolution: ResolutionScoped providers are shared within it. */
  withinResolution<T>(fn: () => T): T {
    if (this.resolution) return fn();
    this.resolution = new Map();
    try {
      return fn();
    } finally {
      this.resolution = undefined;
    }
  }

  /** Disposes what was built, newest first; every failure is passed to `report`, none stops the rest. */
  async dispose(report: (err: Error) => void): Promise<void> {
    for (const { token, instance } of this.built.splice(0).reverse()) {
      for (const hook of ['onStop', 'dispose'] as const) {
        const fn = (instance as Record<string, unknown> | null)?.[hook];
        if (typeof fn !== 'function') continue;
        try {
          await fn.call(instance);
        } catch (err) {
          report(providerErrors.disposeFailed(this.moduleName, token, hook, err));
        }
      }
    }
  }

  private registerClass(token: InjectionToken, cls: Class, lifecycle?: ProviderLifecycle): void {
    let instance: unknown;
    let made = false;
    this.container.register(token as never, {
      useFactory: () => {
        if (lifecycle === TRANSIENT) return this.build(token, () => this.construct(cls));
        if (lifecycle === RESOLUTION_SCOPED) {
          return this.withinResolution(() => {
            const scope = this.resolution!;
            if (!scope.has(token))
              scope.set(
                token,
                this.build(token, () => this.construct(cls)),
              );
            return scope.get(token);
          });
        }
        if (!made) {
          instance = this.build(token, () => this.construct(cls));
          made = true;
        }
        return instance;
      },
    });
  }

  private registerFactory(
    token: InjectionToken,
    factory: (container: DependencyContainer) => unknown,
  ): void {
    let instance: unknown;
    let made = false;
    this.container.register(token as never, {
      useFactory: (c) => {
        if (!made) {
          instance = this.build(token, () => factory(c));
          made = true;
        }
        return instance;
      },
    });
  }

  /** Builds one instance, detecting cycles and remembering it for disposal. */
  private build(token: InjectionToken, make: () => unknown): unknown {
    if (this.building.includes(token)) {
      const chain = [...this.building.slice(this.building.indexOf(token)), token];
      throw providerErrors.providerCycle(this.moduleName, chain);
    }
    this.building.push(token);
    try {
      const instance = this.withinResolution(make);
      this.built.push({ token, instance });
      return instance;
    } catch (err) {
      // Report the innermost failure once, not wrapped again by every provider above it.
      if (err instanceof ModhostError) throw err;
      throw providerErrors.providerFailed(this.moduleName, token, err);
    } finally {
      this.building.pop();
    }
  }

  private construct(cls: Class): unknown {
    const { parameters, missingMetadata } = readConstructorParameters(cls);
    if (missingMetadata) throw providerErrors.noMetadata(this.moduleName, cls.name);
    const args = resolveArguments(this.container, this.moduleName, cls.name, parameters);
    return new cls(...args);
  }
}
