/**
 * Reads what the decorators wrote on a module class into a `ModuleBlueprint`, turning recorded
 * misuses into one load error that names every member concerned.
 */
import {
  type Class,
  type InjectionToken,
  readCached,
  readCallbacks,
  readInjectTokens,
  readMisuses,
  readModule,
  readParamTypes,
  readWebResources,
} from '../../decorators/metadata.js';
import { loadingErrors } from '../errors/loading-messages.js';
import { canonicalToken } from '../injection/tokens.js';
import type { ModuleBlueprint } from './blueprint.js';

/** tsyringe's own `@inject(token)` records tokens under this key; honour it too. */
const TSYRINGE_INJECTION_TOKENS = 'injectionTokens';

function explicitTokens(cls: Class): Map<number, InjectionToken> {
  const tokens = new Map(readInjectTokens(cls));
  const fromTsyringe = Reflect.getOwnMetadata(TSYRINGE_INJECTION_TOKENS, cls) as
    Record<number, unknown> | undefined;
  for (const [index, token] of Object.entries(fromTsyringe ?? {})) {
    if (!tokens.has(Number(index))) tokens.set(Number(index), token as InjectionToken);
  }
  return tokens;
}

function hasMethod(cls: Class, name: string): boolean {
  return typeof (cls.prototype as Record<string, unknown>)[name] === 'function';
}

export function scanModule(cls: Class): ModuleBlueprint {
  const meta = readModule(cls);
  if (!meta) throw loadingErrors.notAModule(`class ${cls.name}`, cls);
  const misuses = readMisuses(cls);
  if (misuses.length > 0) throw loadingErrors.decoratorMisuse(cls.name, misuses);

  const explicit = explicitTokens(cls);
  const types = readParamTypes(cls);
  const arity = Math.max(cls.length, types?.length ?? 0, ...[...explicit.keys()].map((i) => i + 1));
  const missingMetadata = Array.from({ length: arity }, (_, i) => i).some((i) => !explicit.has(i));
  if (arity > 0 && types === undefined && missingMetadata) {
    throw loadingErrors.noDecoratorMetadata(cls.name, meta.name);
  }
  // A class from another installation of modhost (a module package's own copy) means ours.
  const owner = { module: meta.name, className: cls.name };
  const parameters = Array.from({ length: arity }, (_, index) => {
    const token = explicit.get(index);
    return token !== undefined
      ? { index, token: canonicalToken(token, owner), explicit: true }
      : {
          index,
          token: canonicalToken(types?.[index] as InjectionToken | undefined, owner),
          explicit: false,
        };
  });

  return {
    cls,
    name: meta.name,
    configClass: meta.config,
    callbacks: readCallbacks(cls),
    webResources: readWebResources(cls),
    cached: readCached(cls),
    parameters,
    hasOnStart: hasMethod(cls, 'onStart'),
    hasOnStop: hasMethod(cls, 'onStop'),
  };
}
