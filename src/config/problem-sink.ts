/**
 * Collects located configuration problems, so validation reports every one of them at once.
 */
import type { ConfigPath, ConfigProblem } from '../errors/index.js';
import { renderPath } from '../errors/index.js';
import { unknownKeyMessage, expectedFound } from '../errors/config-messages.js';
import type { LocateTarget, Locator } from './types.js';

/** Where a configuration came from: a YAML file (with a locator) or plain objects (neither). */
export interface ConfigSource {
  file?: string;
  locate?: Locator;
}

export class ProblemSink {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly source: ConfigSource) {}

  add(path: ConfigPath, message: string, target?: LocateTarget): void {
    this.problems.push(locatedProblem(this.source, path, message, target));
  }

  get count(): number {
    return this.problems.length;
  }

  /** The problems in source order (unlocated ones last), as a reader goes through the file. */
  sorted(): ConfigProblem[] {
    return [...this.problems].sort(
      (a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0),
    );
  }
}

export function locatedProblem(
  source: ConfigSource,
  path: ConfigPath,
  message: string,
  target?: LocateTarget,
): ConfigProblem {
  const position = source.locate?.(path, target);
  return {
    ...(source.file !== undefined ? { file: source.file } : {}),
    ...(position ? { line: position.line, column: position.column } : {}),
    path: renderPath(path),
    message,
  };
}

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` as a mapping whose keys are all in `allowed`: null/undefined read as `{}`; anything
 * else that is not a mapping is a problem (and gives undefined); unknown keys are problems
 * pointing at the key, with a did-you-mean. `allowed: 'any'` accepts every key.
 */
export function readMapping(
  sink: ProblemSink,
  path: ConfigPath,
  value: unknown,
  allowed: readonly string[] | 'any',
  expected = 'a mapping',
): Mapping | undefined {
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) {
    sink.add(path, expectedFound(expected, value, path));
    return undefined;
  }
  if (allowed === 'any') return value;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) sink.add([...path, key], unknownKeyMessage(key, allowed), 'key');
  }
  return value;
}
