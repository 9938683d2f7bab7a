/**
 * What a callback's exception (or timeout) means: the module's `on_error` override for decision
 * callbacks first, then the callback's error policy. Every failure is logged with module,
 * category and callback, whatever happens next.
 */
import type { CallbackSpec } from '../categories/types.js';
import type { Logger } from '../logging/logger.js';
import { callbackFailedMessage, moduleFailedMessage } from '../errors/callback-messages.js';
import type { CallbackEntry } from './entry.js';
import { carriesHttpStatus, ModuleFailedError } from './http-error.js';
import { CallbackTimeoutError } from './invoke.js';

/** The failure counts as neutral: the run goes on with the next callback. */
export const CONTINUE: unique symbol = Symbol('modhost.callback.continue');

/**
 * Returns CONTINUE, or the operation's result (a fail-closed denial); throws when the
 * operation fails.
 */
export function handleFailure(
  spec: CallbackSpec,
  entry: CallbackEntry,
  error: unknown,
  logger: Logger,
): unknown {
  if (error instanceof CallbackTimeoutError) entry.timeouts++;
  else entry.errors++;
  const override = spec.decision !== undefined ? entry.onError : undefined;
  const policy = spec.onError;
  const outcome =
    override === 'fail_closed'
      ? 'denied (on_error: fail_closed)'
      : override === 'fail_open'
        ? 'treated as neutral (on_error: fail_open)'
        : policy.kind === 'ignore'
          ? 'ignored, treated as neutral'
          : 'the operation fails';
  const record = {
    module: entry.module,
    category: entry.category,
    callback: entry.callback,
    outcome,
    err: error,
  };
  const message = callbackFailedMessage(entry.category, entry.callback);
  if (override === 'fail_open' || (override === undefined && policy.kind === 'ignore'))
    logger.warn(record, message);
  else logger.error(record, message);

  if (override === 'fail_closed') return spec.decision!.deny();
  if (override === 'fail_open' || policy.kind === 'ignore') return CONTINUE;
  if (policy.kind === 'propagate' || (policy.keepHttpErrors && carriesHttpStatus(error)))
    throw error;
  throw new ModuleFailedError(
    entry.module,
    entry.category,
    entry.callback,
    policy.status,
    policy.errcode,
    policy.message || moduleFailedMessage(entry.callback),
    error,
    // A category's own message is Synapse's SynapseError text, meant for clients; without one
    // the client gets the class's bare default.
    policy.message || undefined,
  );
}
