/**
 * A module's `config:` mapping → the value its constructor receives. The class's static
 * `parseConfig(raw)` (Synapse's `parse_config`) runs first when present; then the config
 * class, when given, is instantiated with class-transformer and validated with
 * class-validator, unknown keys rejected. Every problem is located at its full path.
 */
import type { MetadataStorage, ValidationError } from 'class-validator';
import { ConfigError, type ConfigPath, type ConfigProblem } from '../errors/index.js';
import {
  describeValue,
  expectedFound,
  moduleConfigFailedMessage,
  unknownKeyMessage,
} from '../errors/config-messages.js';
import { readModule } from '../../decorators/metadata.js';
import type { Class } from '../../decorators/metadata.js';
import { type ConfigSource, ProblemSink, isMapping } from './problem-sink.js';
import { classValidation } from './class-validation.js';
import { firstFailingItem } from './each-item.js';
import { REDACTED, isSecretPath, redactUrlPasswords } from './redact.js';
import type { ModuleEntry } from './types.js';

/** Shorter secrets are still never shown as values, but are not searched for inside text. */
const MIN_MASKED = 3;

export type ModuleClassWithParse = Function & { parseConfig?: (raw: unknown) => unknown };

export async function validateModuleConfig(
  cls: ModuleClassWithParse,
  configClass: Class | undefined,
  entry: ModuleEntry,
  source: ConfigSource,
): Promise<{ value?: unknown; problems: ConfigProblem[] }> {
  const sink = new ProblemSink(source);
  const configPath: ConfigPath = ['modules', entry.index, 'config'];
  const moduleName = readModule(cls)?.name ?? cls.name;
  let value: unknown = entry.config ?? {};

  if (typeof cls.parseConfig === 'function') {
    try {
      value = await cls.parseConfig(value);
    } catch (error) {
      reportParseFailure(sink, configPath, moduleName, value, error);
      return { problems: sink.problems };
    }
  }
  if (configClass === undefined) return { value, problems: [] };

  const { validate, plainToInstance, storage } = await classValidation();
  let errors: ValidationError[];
  try {
    if (!(value instanceof configClass)) {
      if (!isMapping(value)) {
        sink.add(configPath, expectedFound(`a mapping for ${configClass.name}`, value, configPath));
        return { problems: sink.problems };
      }
      value = plainToInstance(configClass, value);
    }
    errors = await validate(value as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      validationError: { target: true, value: true },
    });
  } catch (error) {
    // A throwing @Transform or custom validator: the module's fault, reported like parseConfig's.
    const inner = safeMessage(describeError(error), entry.config);
    sink.add(configPath, moduleConfigFailedMessage(moduleName, inner));
    return { problems: sink.problems };
  }
  for (const error of errors) await reportValidationError(sink, storage, configPath, error);
  return sink.count > 0 ? { problems: sink.sorted() } : { value, problems: [] };
}

function reportParseFailure(
  sink: ProblemSink,
  configPath: ConfigPath,
  moduleName: string,
  raw: unknown,
  error: unknown,
): void {
  const relative = configErrorPath(error);
  if (relative !== undefined) {
    const message = (error as Error).message;
    sink.add(
      [...configPath, ...relative],
      moduleConfigFailedMessage(moduleName, safeMessage(message, raw)),
    );
    return;
  }
  sink.add(
    configPath,
    moduleConfigFailedMessage(moduleName, safeMessage(describeError(error), raw)),
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The relative path of a ConfigError, or undefined for any other error. Duck-typed as well,
 * since a module may import ConfigError from its own copy of modhost.
 */
function configErrorPath(error: unknown): ConfigPath | undefined {
  const isConfigError =
    error instanceof ConfigError || (error instanceof Error && error.name === 'ConfigError');
  if (!isConfigError) return undefined;
  const path: unknown = (error as { path?: unknown }).path;
  if (typeof path === 'string') return path === '' ? [] : [path];
  if (!Array.isArray(path)) return [];
  return path.filter((part): part is string | number => ['string', 'number'].includes(typeof part));
}

/**
 * A module's own message may quote a value: every value found under a secret-looking key of
 * the raw config is masked in it, and so are URL passwords.
 */
function safeMessage(message: string, raw: unknown): string {
  let out = redactUrlPasswords(message);
  for (const secret of secretStrings(raw)) out = out.split(secret).join(REDACTED);
  return out;
}

/** Every string value in `raw` under a secret-looking key (for masking in messages). */
function secretStrings(raw: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: (string | number)[], depth: number) => {
    if (depth > 32) return;
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      if (isSecretPath(path) && text.length >= MIN_MASKED) found.push(text);
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => walk(item, [...path, i], depth + 1));
    } else if (isMapping(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key], depth + 1);
    }
  };
  walk(raw, [], 0);
  return found.sort((a, b) => b.length - a.length);
}

/** The properties a config class declares rules for (for did-you-mean on unknown keys). */
function declaredProperties(storage: MetadataStorage, target: object | undefined): string[] {
  if (!target) return [];
  const metadata = storage.getTargetValidationMetadatas(target.constructor, '', false, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

async function reportValidationError(
  sink: ProblemSink,
  storage: MetadataStorage,
  parentPath: ConfigPath,
  error: ValidationError,
): Promise<void> {
  // Items of validated arrays come back as properties '0', '1', ... of the array.
  const key: string | number =
    Array.isArray(error.target) && /^\d+$/.test(error.property)
      ? Number(error.property)
      : error.property;
  const path = [...parentPath, key];
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) {
    sink.add(
      path,
      unknownKeyMessage(error.property, declaredProperties(storage, error.target)),
      'key',
    );
  } else {
    for (const [name, message] of Object.entries(constraints)) {
      const index = await failingItemIndex(storage, error, name, message);
      const at = index === undefined ? path : [...path, index];
      const found = index === undefined ? error.value : (error.value as unknown[])[index];
      sink.add(
        at,
        `${safeConstraintMessage(message, error, at, found)}; found ${describeValue(found, at)}`,
      );
    }
  }
  for (const child of error.children ?? []) await reportValidationError(sink, storage, path, child);
}

/** For a failed `each` rule on a list, the first offending item (see each-item.ts). */
async function failingItemIndex(
  storage: MetadataStorage,
  error: ValidationError,
  name: string,
  message: string,
): Promise<number | undefined> {
  if (!Array.isArray(error.value) || !error.target || !message.startsWith('each value in ')) {
    return undefined;
  }
  return firstFailingItem(storage, error.target, error.property, name, error.value);
}

function safeConstraintMessage(
  message: string,
  error: ValidationError,
  path: ConfigPath,
  found: unknown,
): string {
  const short = stripProperty(message, error.property);
  return isSecretPath(path)
    ? maskValue(maskValue(short, found), error.value)
    : redactUrlPasswords(short);
}

/** "banned_words must be an array" → "must be an array" (the path already names it). */
function stripProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/** Masks `value` where a message quotes it (not 1- or 2-character values: too common). */
function maskValue(message: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') return message;
  const text = String(value);
  return text.length < MIN_MASKED ? message : message.split(text).join(REDACTED);
}
