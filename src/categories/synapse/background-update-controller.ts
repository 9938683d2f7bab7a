/**
 * background_update_controller (Synapse's storage/background_updates.py). The whole set belongs
 * to one module: a second module's registration is ignored with a warning. Exceptions propagate.
 * `on_update` is synchronous and returns an async context manager yielding the target duration
 * of the next batch in ms; the host enters it before the batch and exits after.
 */
import { defineCategory, once, propagate } from '../define.js';

/** Synapse's async context manager, as two async steps. */
export interface BackgroundUpdateContext {
  /** Resolves to the target duration of the batch, ms. */
  enter(): Promise<number>;
  /** Called when the batch is done (with its error, if it failed). */
  exit(error?: unknown): Promise<void>;
}

const single = () => ({ combine: once({ duplicate: 'warn' }), onError: propagate() });

export const backgroundUpdateController = defineCategory({
  name: 'background_update_controller',
  description: 'Pacing of background database updates.',
  exclusive: 'warn',
  callbacks: {
    on_update: single(),
    default_batch_size: single(),
    min_batch_size: single(),
  },
});
