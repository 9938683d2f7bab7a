/**
 * Turns a module entry's `module:` (a class or a spec) into a `@Module` class, with errors that
 * name the file, the export and what to do.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readModule, type Class } from '../../decorators/metadata.js';
import { loadingErrors } from '../errors/loading-messages.js';
import { parseModuleSpec } from './module-spec.js';
import { resolvePackage } from './resolve-package.js';

const isModuleClass = (value: unknown): value is Class =>
  typeof value === 'function' && readModule(value) !== undefined;

async function importFile(file: string, label: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw loadingErrors.importFailed(label, err);
  }
}

function pickExport(exports: Record<string, unknown>, label: string, exportName?: string): Class {
  if (exportName !== undefined) {
    if (!(exportName in exports)) {
      throw loadingErrors.exportMissing(
        label,
        exportName,
        Object.keys(exports).filter((k) => k !== 'default'),
      );
    }
    const value = exports[exportName];
    if (!isModuleClass(value))
      throw loadingErrors.notAModule(`export "${exportName}" of ${label}`, value);
    return value;
  }
  if (isModuleClass(exports.default)) return exports.default;
  const modules = Object.entries(exports).filter(([, v]) => isModuleClass(v));
  // A default export that re-exports a named class is the same class: count it once.
  const distinct = [...new Map(modules.map(([k, v]) => [v, k])).values()];
  if (distinct.length === 1) return exports[distinct[0]!] as Class;
  if (distinct.length > 1) throw loadingErrors.ambiguous(label, distinct);
  if (exports.default !== undefined)
    throw loadingErrors.notAModule(`the default export of ${label}`, exports.default);
  throw loadingErrors.noModuleExport(label);
}

/** Resolves `module` (class or spec) to a `@Module` class; specs resolve from `baseDir`. */
export async function loadModuleClass(module: Class | string, baseDir: string): Promise<Class> {
  if (typeof module !== 'string') {
    if (!isModuleClass(module)) throw loadingErrors.notAModule('the module', module);
    return module;
  }
  const spec = parseModuleSpec(module);
  if (!spec) throw loadingErrors.badSpec(module);
  if (spec.kind === 'file') {
    const file = path.resolve(baseDir, spec.path);
    if (!existsSync(file)) throw loadingErrors.fileNotFound(file, module, baseDir);
    return pickExport(await importFile(file, spec.path), spec.path, spec.exportName);
  }
  const entry = resolvePackage(spec.name, baseDir);
  if (!entry || !existsSync(entry)) throw loadingErrors.packageNotFound(spec.name, baseDir);
  return pickExport(await importFile(entry, spec.name), spec.name, spec.exportName);
}
