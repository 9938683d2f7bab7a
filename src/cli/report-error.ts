/** Prints a startup failure for people: located config problems, or the error chain; no stack. */
import { ConfigValidationError, formatProblem, ModhostError } from '../errors/modhost-error.js';

export function renderError(err: unknown): string {
  if (err instanceof ConfigValidationError) {
    const n = err.problems.length;
    return [
      ...err.problems.map(formatProblem),
      `${n} problem${n === 1 ? '' : 's'} found; nothing was started.`,
    ].join('\n');
  }
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const prefix = depth === 0 ? 'error: ' : '  caused by: ';
    if (current instanceof Error) {
      lines.push(
        `${prefix}${current.message}${current instanceof ModhostError ? ` [${current.code}]` : ''}`,
      );
      current = current.cause;
    } else {
      lines.push(`${prefix}${String(current)}`);
      current = undefined;
    }
  }
  if (process.env.MODHOST_DEBUG && err instanceof Error && err.stack) lines.push(err.stack);
  return lines.join('\n');
}
