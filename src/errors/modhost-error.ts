import type { ErrorCode } from './codes.js';

/** Base of every error modhost raises: a stable `code` and a message that names the culprit. */
export class ModhostError extends Error {
  override name = 'ModhostError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `err`, or an error in its `cause` chain (a few links deep), is a ModhostError `code`. */
export function hasErrorCode(err: unknown, code: ErrorCode): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof ModhostError && e.code === code) return true;
  return false;
}

export type ConfigPath = readonly (string | number)[];

/**
 * Raised by a module's static `parseConfig(raw)` (Synapse's `ConfigError`). `path` is relative
 * to the module's `config:` mapping; the host puts the entry's own path in front.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly path: ConfigPath = [],
  ) {
    super(message);
  }
}

/** One located problem in a configuration: `file:line:col: path: message`. */
export interface ConfigProblem {
  file?: string;
  line?: number;
  column?: number;
  /** Rendered path, e.g. `modules[1].config.banned_words`. */
  path: string;
  message: string;
}

/** Renders a key path as `modules[1].config.a`. */
export function renderPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(root)' : out;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ` : '';
  return `${where}${p.path}: ${p.message}`;
}

/** At most this many problems are printed (a broken generated file can have thousands). */
export const MAX_SHOWN_PROBLEMS = 50;

/** The first MAX_SHOWN_PROBLEMS problems, one line each, then a line counting the rest. */
export function formatProblems(problems: readonly ConfigProblem[]): string[] {
  const lines = problems.slice(0, MAX_SHOWN_PROBLEMS).map(formatProblem);
  const rest = problems.length - lines.length;
  if (rest > 0)
    lines.push(
      `... and ${rest} more problem${rest === 1 ? '' : 's'} ` +
        `(${problems.length} in all; the first ${lines.length} are shown)`,
    );
  return lines;
}

/** Every problem found in a configuration, reported together (not only the first). */
export class ConfigValidationError extends ModhostError {
  override name = 'ConfigValidationError';
  constructor(
    readonly problems: readonly ConfigProblem[],
    code: ErrorCode = 'MODHOST_CONFIG_INVALID',
    options?: { cause?: unknown },
  ) {
    super(code, formatProblems(problems).join('\n'), options);
  }
}
