/**
 * Reads what the decorators wrote on a module class into a `ModuleBlueprint`, turning recorded
 * misuses into one load error that names every member concerned.
 */
import {
  type Class,
  readCached,
  readCallbacks,
  readMisuses,
  readModule,
  readWebResources,
} from '../../decorators/metadata.js';
import { loadingErrors } from '../errors/loading-messages.js';
import { canonicalToken } from '../injection/tokens.js';
import { readConstructorParameters } from '../injection/parameters.js';
import { scanModuleProviders } from '../injection/module-providers.js';
import type { ModuleBlueprint } from './blueprint.js';

function hasMethod(cls: Class, name: string): boolean {
  return typeof (cls.prototype as Record<string, unknown>)[name] === 'function';
}

export function scanModule(cls: Class): ModuleBlueprint {
  const meta = readModule(cls);
  if (!meta) throw loadingErrors.notAModule(`class ${cls.name}`, cls);
  const misuses = readMisuses(cls);
  if (misuses.length > 0) throw loadingErrors.decoratorMisuse(cls.name, misuses);

  const read = readConstructorParameters(cls);
  if (read.missingMetadata) throw loadingErrors.noDecoratorMetadata(cls.name, meta.name);
  // A class from another installation of modhost (a module package's own copy) means ours.
  const owner = { module: meta.name, className: cls.name };
  const parameters = read.parameters.map((p) => ({ ...p, token: canonicalToken(p.token, owner) }));
  const { providers, exports } = scanModuleProviders(meta.name, meta.providers, meta.exports);

  return {
    cls,
    name: meta.name,
    configClass: meta.config,
    callbacks: readCallbacks(cls),
    webResources: readWebResources(cls),
    cached: readCached(cls),
    parameters,
    providers,
    exports,
    hasOnStart: hasMethod(cls, 'onStart'),
    hasOnStop: hasMethod(cls, 'onStop'),
  };
}
