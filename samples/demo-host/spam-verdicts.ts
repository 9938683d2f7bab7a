/** Turning normalised spam-checker results into the error the client gets, as Synapse does. */
import { Codes, NOT_SPAM } from 'modhost';
import type { HttpError } from 'modhost';
import { matrixError } from './matrix-error.js';

/** The error for a `NOT_SPAM | [code, fields]` decision, or undefined when it allows. */
export function spamRejection(decision: unknown, what: string): HttpError | undefined {
  if (decision === NOT_SPAM) return undefined;
  const [code, fields]: [string, Record<string, unknown>] = Array.isArray(decision)
    ? (decision as [string, Record<string, unknown>])
    : [Codes.FORBIDDEN, {}];
  const { error, ...rest } = fields ?? {};
  const status = code === Codes.LIMIT_EXCEEDED ? 429 : 403;
  return matrixError(status, code, typeof error === 'string' ? error : what, rest);
}
