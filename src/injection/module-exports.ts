/**
 * Services one module offers to others (`@Module({ exports })`). An export reaches the modules
 * listed after its exporter, so construction in config order never waits on a later module; a
 * module needing a later module's export, two modules needing each other's, or two modules
 * exporting one token are load errors located at the module's entry.
 */
import type { InjectionToken } from '../../decorators/metadata.js';
import type { ProblemSink } from '../config/problem-sink.js';
import { providerErrors } from '../errors/provider-messages.js';
import type { ModuleBlueprint } from '../scanning/blueprint.js';
import { neededTokens } from './module-providers.js';

interface Listed {
  blueprint: ModuleBlueprint;
  entry: { index: number };
}

/** Adds a located problem for every export conflict and every import from a later module. */
export function checkModuleExports(modules: readonly Listed[], sink: ProblemSink): void {
  const exporter = new Map<InjectionToken, number>();
  modules.forEach((m, i) => {
    for (const token of m.blueprint.exports) {
      const first = exporter.get(token);
      if (first === undefined) exporter.set(token, i);
      else
        sink.add(
          ['modules', m.entry.index, 'module'],
          providerErrors.exportTwice(token, modules[first]!.blueprint.name, m.blueprint.name)
            .message,
        );
    }
  });
  const needs = modules.map((m) => {
    const own = new Set(m.blueprint.providers.map((p) => p.provide));
    return neededTokens(m.blueprint.parameters, m.blueprint.providers).filter((t) => !own.has(t));
  });
  modules.forEach((m, i) => {
    for (const token of needs[i]!) {
      const j = exporter.get(token);
      if (j === undefined || j <= i) continue;
      const later = modules[j]!;
      const back = needs[j]!.find((t) => exporter.get(t) === i);
      const err =
        back !== undefined
          ? providerErrors.moduleCycle(m.blueprint.name, later.blueprint.name, token, back)
          : providerErrors.listedAfter(
              m.blueprint.name,
              token,
              later.blueprint.name,
              later.entry.index,
            );
      sink.add(['modules', m.entry.index, 'module'], err.message);
    }
  });
}
