/** media_repository (experimental in Synapse). Exceptions propagate. */
import { defineCategory, firstDecisive, propagate, runAll } from '../define.js';
import { copyArgument } from './deep-copy.js';
import { isPythonFalsy } from './python-truthiness.js';

const isNullish = (r: unknown): boolean => r === null || r === undefined;

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
    },
    is_user_allowed_to_upload_media_of_size: {
      combine: firstDecisive({ isNeutral: (r) => Boolean(r), fallback: () => true }),
      onError: propagate(),
      decision: { deny: () => false },
    },
    get_media_upload_limits_for_user: {
      combine: firstDecisive({ isNeutral: isNullish, fallback: () => null }),
      onError: propagate(),
    },
    on_media_upload_limit_exceeded: {
      // Each callback gets its own copy of `limit`.
      combine: runAll(),
      onError: propagate(),
      prepareArgs: copyArgument(1),
    },
  },
});
