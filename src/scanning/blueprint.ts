import type {
  CachedMetadata,
  CallbackMetadata,
  Class,
  InjectionToken,
  WebResourceMetadata,
} from '../../decorators/metadata.js';
import type { ModuleProvider } from '../injection/module-providers.js';
import type { ParameterSpec } from '../injection/parameters.js';

/** Everything the host needs to build and wire one module, read from its decorators. */
export interface ModuleBlueprint {
  cls: Class;
  name: string;
  configClass?: Class;
  callbacks: readonly CallbackMetadata[];
  webResources: readonly WebResourceMetadata[];
  cached: readonly CachedMetadata[];
  /** Per constructor parameter: what to resolve (an explicit @Inject/@inject token or the type). */
  parameters: readonly ParameterSpec[];
  /** `@Module({ providers })`, normalised; resolved in the module's own container. */
  providers: readonly ModuleProvider[];
  /** Tokens of `providers` that modules listed after this one may inject. */
  exports: readonly InjectionToken[];
  hasOnStart: boolean;
  hasOnStop: boolean;
}
