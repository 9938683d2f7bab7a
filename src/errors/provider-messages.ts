/** Messages for a module's own providers, their exports and the testing kit's overrides. */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';
import { describe, tokenName } from './injection-messages.js';

export const providerErrors = {
  invalid: (moduleName: string, index: number, problem: string) =>
    new ModhostError(
      ErrorCode.PROVIDER_INVALID,
      `module "${moduleName}": providers[${index}] ${problem}; expected a class or { provide, useValue | useClass | useFactory }`,
    ),
  duplicate: (moduleName: string, token: unknown) =>
    new ModhostError(
      ErrorCode.PROVIDER_INVALID,
      `module "${moduleName}": ${tokenName(token)} is provided twice in @Module({ providers }); keep one`,
    ),
  exportNotProvided: (moduleName: string, token: unknown, provided: readonly unknown[]) =>
    new ModhostError(
      ErrorCode.PROVIDER_INVALID,
      `module "${moduleName}" exports ${tokenName(token)}, which is not one of its providers (${provided.length ? provided.map(tokenName).join(', ') : 'it has none'}); add it to @Module({ providers }) or drop the export`,
    ),
  exportTwice: (token: unknown, first: string, second: string) =>
    new ModhostError(
      ErrorCode.PROVIDER_INVALID,
      `modules "${first}" and "${second}" both export ${tokenName(token)}; a token may be exported by one module only`,
    ),
  listedAfter: (moduleName: string, token: unknown, exporter: string, exporterIndex: number) =>
    new ModhostError(
      ErrorCode.PROVIDER_IMPORT_ORDER,
      `module "${moduleName}" needs ${tokenName(token)}, which module "${exporter}" (modules[${exporterIndex}]) exports, but "${exporter}" is listed after it; list "${exporter}" first (exports reach only the modules listed after the exporter)`,
    ),
  moduleCycle: (a: string, b: string, tokenA: unknown, tokenB: unknown) =>
    new ModhostError(
      ErrorCode.PROVIDER_CYCLE,
      `modules "${a}" and "${b}" need each other's exports (${a} needs ${tokenName(tokenA)} from ${b}, ${b} needs ${tokenName(tokenB)} from ${a}); move the shared service into one of them or a third module listed before both`,
    ),
  providerCycle: (moduleName: string, chain: readonly unknown[]) =>
    new ModhostError(
      ErrorCode.PROVIDER_CYCLE,
      `module "${moduleName}": providers depend on each other in a cycle: ${chain.map(tokenName).join(' -> ')}; break it (inject a factory or move the shared part into a third provider)`,
    ),
  providerFailed: (moduleName: string, token: unknown, cause: unknown) =>
    new ModhostError(
      ErrorCode.MODULE_CONSTRUCTOR_FAILED,
      `module "${moduleName}": building provider ${tokenName(token)} failed: ${describe(cause)}`,
      { cause },
    ),
  noMetadata: (moduleName: string, className: string) =>
    new ModhostError(
      ErrorCode.NO_DECORATOR_METADATA,
      `module "${moduleName}": provider class ${className} has constructor parameters but no decorator metadata to inject them by type; ` +
        `mark the class @Injectable() (from modhost/decorators, or tsyringe's @injectable()) and compile it with tsc and "emitDecoratorMetadata": true, or use @Inject(TOKEN) on each parameter`,
    ),
  disposeFailed: (moduleName: string, token: unknown, hook: string, cause: unknown) =>
    new ModhostError(
      ErrorCode.MODULE_START_FAILED,
      `module "${moduleName}": provider ${tokenName(token)} failed in ${hook}(): ${describe(cause)}`,
      { cause },
    ),
  unknownOverrideModule: (what: string, names: readonly string[]) =>
    new ModhostError(
      ErrorCode.OVERRIDE_INVALID,
      `createTestHost: overrides name ${what}, which is not one of the host's modules (${names.join(', ') || 'none'})`,
    ),
};
