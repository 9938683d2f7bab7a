/** media_repository (experimental in Synapse). Exceptions propagate. */
import { defineCategory, firstDecisive, propagate, runAll } from '../define.js';
import type { CallContext } from '../types.js';
import { isPythonFalsy } from './python-truthiness.js';

const isNullish = (r: unknown): boolean => r === null || r === undefined;

interface UploadLimit {
  time_period_ms?: unknown;
}

/**
 * Synapse sorts the first non-null list by `time_period_ms`, longest first (the upload check
 * relies on it to query the shortest periods only when the longer ones pass). Sorted as a new
 * list, so the module's own list is untouched; a non-list is a warning and lets the next
 * module answer.
 */
function longestPeriodFirst(raw: unknown, call: CallContext): unknown {
  if (isNullish(raw)) return null;
  if (!Array.isArray(raw)) {
    call.warn('get_media_upload_limits_for_user returned a non-list; ignoring it');
    return null;
  }
  const period = (limit: unknown): number => {
    const ms = (limit as UploadLimit | null)?.time_period_ms;
    return typeof ms === 'number' ? ms : 0;
  };
  // Array.prototype.sort is stable, as Python's list.sort: equal periods keep their order.
  return [...(raw as unknown[])].sort((a, b) => period(b) - period(a));
}

export const mediaRepository = defineCategory({
  name: 'media_repository',
  description: 'Per-user media configuration and upload limits.',
  callbacks: {
    // Synapse's code takes the first result that is truthy in Python (`if res:`), although its
    // docs say "first non-null". So null, `{}`, `[]`, '', 0 and false all let the next module
    // answer; the first non-empty dict wins. If no module answers: null.
    get_media_config_for_user: {
      combine: firstDecisive({ isNeutral: isPythonFalsy, fallback: () => null }),
      onError: propagate(),
      args: ['shared'],
    },
    is_user_allowed_to_upload_media_of_size: {
      combine: firstDecisive({ isNeutral: (r) => Boolean(r), fallback: () => true }),
      onError: propagate(),
      decision: { deny: () => false },
      args: ['shared', 'shared'],
    },
    get_media_upload_limits_for_user: {
      // `[]` is an answer (no limits), so only null/undefined let the next module decide.
      combine: firstDecisive({
        normalise: longestPeriodFirst,
        isNeutral: isNullish,
        fallback: () => null,
      }),
      onError: propagate(),
      args: ['shared'],
    },
    on_media_upload_limit_exceeded: {
      // Each callback gets its own copy of `limit` (Synapse builds a new MediaUploadLimit).
      combine: runAll(),
      onError: propagate(),
      args: ['shared', 'copy', 'shared', 'shared'],
    },
  },
});
