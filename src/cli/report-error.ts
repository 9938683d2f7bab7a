/** Prints a startup failure for people: located config problems, or the error chain; no stack. */
import {
  type ConfigProblem,
  ConfigValidationError,
  formatProblems,
  ModhostError,
} from '../errors/modhost-error.js';

/**
 * A startup failure as data (`inspect --json`): `{ ok: false, code, problems }`, each problem
 * `{ file?, line?, column?, path, message }`; any other failure is one problem at the root.
 */
export function failureAsJson(err: unknown): {
  ok: false;
  code?: string;
  problems: readonly ConfigProblem[];
} {
  const code = err instanceof ModhostError ? err.code : undefined;
  if (err instanceof ConfigValidationError) return { ok: false, code, problems: err.problems };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, code, problems: [{ path: '(root)', message }] };
}

export function renderError(err: unknown): string {
  if (err instanceof ConfigValidationError) {
    const n = err.problems.length;
    return [
      ...formatProblems(err.problems),
      `${n} problem${n === 1 ? '' : 's'} found; nothing was started.`,
    ].join('\n');
  }
  const lines: string[] = [];
  let said = '';
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    // Our messages usually quote their cause already: print a cause only when it adds something.
    if (!said.includes(message)) {
      const code = current instanceof ModhostError ? ` [${current.code}]` : '';
      lines.push(`${depth === 0 ? 'error: ' : '  caused by: '}${message}${code}`);
      said += `\n${message}`;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  if (process.env.MODHOST_DEBUG && err instanceof Error && err.stack) lines.push(err.stack);
  return lines.join('\n');
}
