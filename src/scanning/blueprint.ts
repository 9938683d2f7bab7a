import type {
  CachedMetadata,
  CallbackMetadata,
  Class,
  InjectionToken,
  WebResourceMetadata,
} from '../../decorators/metadata.js';

/** Everything the host needs to build and wire one module, read from its decorators. */
export interface ModuleBlueprint {
  cls: Class;
  name: string;
  configClass?: Class;
  callbacks: readonly CallbackMetadata[];
  webResources: readonly WebResourceMetadata[];
  cached: readonly CachedMetadata[];
  /** Per constructor parameter: the token to resolve (an explicit @Inject token or the type). */
  parameters: readonly { index: number; token: InjectionToken | undefined; explicit: boolean }[];
  hasOnStart: boolean;
  hasOnStop: boolean;
}
