/**
 * background_update_controller (Synapse's storage/background_updates.py). The whole set belongs
 * to one module: a second module's registration is ignored with a warning. Exceptions propagate.
 * `on_update` is synchronous and returns an async context manager yielding the target duration
 * of the next batch in ms; the host enters it before the batch and exits after.
 */
import { defineCategory, once, propagate } from '../define.js';
import type { ArgumentRule } from '../types.js';

/** Synapse's async context manager, as two async steps. */
export interface BackgroundUpdateContext {
  /** Resolves to the target duration of the batch, ms. */
  enter(): Promise<number>;
  /** Called when the batch is done (with its error, if it failed). */
  exit(error?: unknown): Promise<void>;
}

// Arguments are names and flags: shared.
const single = (args: readonly ArgumentRule[]) => ({
  combine: once({ duplicate: 'warn' }),
  onError: propagate(),
  args,
});

export const backgroundUpdateController = defineCategory({
  name: 'background_update_controller',
  description: 'Pacing of background database updates.',
  exclusive: 'warn',
  callbacks: {
    on_update: single(['shared', 'shared', 'shared']),
    default_batch_size: single(['shared', 'shared']),
    min_batch_size: single(['shared', 'shared']),
  },
});
