/**
 * Config → loader → scanner → module config validation, for every entry, collecting every
 * problem (located in the YAML when there is one) before anything is constructed.
 */
import type { Class } from '../../decorators/metadata.js';
import type { ModuleIdentity } from '../api/services.js';
import { validateModuleConfig } from '../config/module-config.js';
import { type ConfigSource, ProblemSink } from '../config/problem-sink.js';
import type { ModuleEntry } from '../config/types.js';
import type { ConfigProblem } from '../errors/index.js';
import { loadingErrors } from '../errors/loading-messages.js';
import { ConfigValidationError } from '../errors/modhost-error.js';
import { checkModuleExports } from '../injection/module-exports.js';
import { checkIsolatedExports } from '../isolation/exports-check.js';
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

async function prepareOne(
  entry: ModuleEntry,
  baseDir: string,
  source: ConfigSource,
  sink: ProblemSink,
): Promise<PreparedModule | undefined> {
  const at = ['modules', entry.index, 'module'];
  let blueprint: ModuleBlueprint;
  try {
    const cls: Class = await loadModuleClass(entry.module, baseDir);
    blueprint = scanModule(cls);
  } catch (err) {
    sink.add(at, (err as Error).message);
    return undefined;
  }
  const result = await validateModuleConfig(blueprint.cls, blueprint.configClass, entry, source);
  sink.problems.push(...result.problems);
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
  modules: readonly ModuleEntry[],
  baseDir: string,
  source: ConfigSource = {},
): Promise<PreparedModule[]> {
  const { prepared, sink } = await prepareAll(modules, baseDir, source);
  if (sink.count > 0) throw new ConfigValidationError(sink.sorted());
  return prepared as PreparedModule[];
}

/**
 * `problems` (of the host's own sections) together with every problem of the valid module
 * entries, in source order: a bad `server.port` does not hide a module's bad config.
 */
export async function withModuleProblems(
  problems: readonly ConfigProblem[],
  modules: readonly ModuleEntry[],
  baseDir: string,
  source: ConfigSource,
): Promise<ConfigProblem[]> {
  const { sink } = await prepareAll(modules, baseDir, source);
  sink.problems.unshift(...problems);
  return sink.sorted();
}

async function prepareAll(
  modules: readonly ModuleEntry[],
  baseDir: string,
  source: ConfigSource,
): Promise<{ prepared: (PreparedModule | undefined)[]; sink: ProblemSink }> {
  const sink = new ProblemSink(source);
  // Entries load independently, so every problem is found in one pass; order is kept.
  const prepared = await Promise.all(modules.map((e) => prepareOne(e, baseDir, source, sink)));
  const seen = new Map<string, number>();
  for (const p of prepared) {
    if (!p) continue;
    const first = seen.get(p.blueprint.name);
    if (first !== undefined) {
      sink.add(
        ['modules', p.entry.index, 'module'],
        loadingErrors.duplicateName(p.blueprint.name, first, p.entry.index).message,
      );
    } else seen.set(p.blueprint.name, p.entry.index);
  }
  const valid = prepared.filter((p): p is PreparedModule => p !== undefined);
  // Exports stay within a thread: across one, each pairing is its own clear problem.
  checkModuleExports(
    valid.filter((p) => !p.entry.worker),
    sink,
  );
  checkIsolatedExports(valid, sink);
  return { prepared, sink };
}
