/**
 * Config → loader → scanner → module config validation, for every entry, collecting every
 * problem (located in the YAML when there is one) before anything is constructed.
 */
import type { Class } from '../../decorators/metadata.js';
import type { ModuleIdentity } from '../api/services.js';
import { validateModuleConfig } from '../config/module-config.js';
import type { HostConfig, Locator, ModuleEntry } from '../config/types.js';
import { loadingErrors } from '../errors/loading-messages.js';
import { type ConfigProblem, ConfigValidationError, renderPath } from '../errors/modhost-error.js';
import { loadModuleClass } from '../loading/loader.js';
import type { ModuleBlueprint } from '../scanning/blueprint.js';
import { scanModule } from '../scanning/scanner.js';

export interface PreparedModule {
  entry: ModuleEntry;
  blueprint: ModuleBlueprint;
  identity: ModuleIdentity;
  /** The validated config (config-class instance, parseConfig result, or raw mapping). */
  config: unknown;
}

function problemAt(
  path: (string | number)[],
  message: string,
  source: { file?: string; locate?: Locator },
): ConfigProblem {
  const at = source.locate?.(path);
  return { file: source.file, line: at?.line, column: at?.column, path: renderPath(path), message };
}

async function prepareOne(
  entry: ModuleEntry,
  baseDir: string,
  source: { file?: string; locate?: Locator },
  problems: ConfigProblem[],
): Promise<PreparedModule | undefined> {
  const at = ['modules', entry.index, 'module'];
  let blueprint: ModuleBlueprint;
  try {
    const cls: Class = await loadModuleClass(entry.module, baseDir);
    blueprint = scanModule(cls);
  } catch (err) {
    problems.push(problemAt(at, (err as Error).message, source));
    return undefined;
  }
  const result = await validateModuleConfig(blueprint.cls, blueprint.configClass, entry, source);
  problems.push(...result.problems);
  if (result.problems.length > 0) return undefined;
  return {
    entry,
    blueprint,
    config: result.value,
    identity: {
      name: blueprint.name,
      index: entry.index,
      on_error: entry.on_error,
      callback_timeout: entry.callback_timeout,
    },
  };
}

/** Prepares every module entry; throws one ConfigValidationError listing every problem. */
export async function prepareModules(
  config: HostConfig,
  baseDir: string,
  source: { file?: string; locate?: Locator } = {},
): Promise<PreparedModule[]> {
  const problems: ConfigProblem[] = [];
  // Entries load independently, so every problem is found in one pass; order is kept.
  const prepared = await Promise.all(
    config.modules.map((e) => prepareOne(e, baseDir, source, problems)),
  );
  const seen = new Map<string, number>();
  for (const p of prepared) {
    if (!p) continue;
    const first = seen.get(p.blueprint.name);
    if (first !== undefined) {
      problems.push(
        problemAt(
          ['modules', p.entry.index, 'module'],
          loadingErrors.duplicateName(p.blueprint.name, first, p.entry.index).message,
          source,
        ),
      );
    } else seen.set(p.blueprint.name, p.entry.index);
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ConfigValidationError(problems);
  }
  return prepared as PreparedModule[];
}
