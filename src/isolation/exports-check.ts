/**
 * `@Module({ exports })` across the isolation boundary: an export is a live object in its
 * exporter's container, so it cannot reach a module in another thread, nor leave one. Each such
 * pairing is a load error located at the module's entry and naming the token, instead of a
 * provider that is silently missing when the module is built.
 */
import type { InjectionToken } from '../../decorators/metadata.js';
import type { ProblemSink } from '../config/problem-sink.js';
import { isolationErrors } from '../errors/isolation-messages.js';
import { neededTokens } from '../injection/module-providers.js';
import type { ModuleBlueprint } from '../scanning/blueprint.js';

interface Listed {
  blueprint: ModuleBlueprint;
  entry: { index: number; worker?: unknown };
}

/** Adds a problem for each export of an isolated module and each import into or out of one. */
export function checkIsolatedExports(modules: readonly Listed[], sink: ProblemSink): void {
  if (!modules.some((m) => m.entry.worker)) return;
  const exporter = new Map<InjectionToken, Listed>();
  for (const m of modules) for (const t of m.blueprint.exports) exporter.set(t, m);
  for (const m of modules) {
    const at = ['modules', m.entry.index, 'module'];
    const { name } = m.blueprint;
    if (m.entry.worker)
      for (const token of m.blueprint.exports)
        sink.add(at, isolationErrors.exportFromWorker(name, token).message);
    const own = new Set(m.blueprint.providers.map((p) => p.provide));
    for (const token of neededTokens(m.blueprint.parameters, m.blueprint.providers)) {
      const from = exporter.get(token);
      if (from === undefined || from === m || own.has(token)) continue;
      if (m.entry.worker || from.entry.worker)
        sink.add(
          at,
          isolationErrors.importAcross(name, token, from.blueprint.name, !!m.entry.worker).message,
        );
    }
  }
}
