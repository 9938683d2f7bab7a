/** ratelimit (experimental in Synapse): per-user overrides. Exceptions propagate. */
import { defineCategory, firstDecisive, propagate } from '../define.js';

export interface RatelimitOverride {
  per_second: number;
  burst_count: number;
}

export const ratelimit = defineCategory({
  name: 'ratelimit',
  description: 'Per-user rate-limit overrides.',
  callbacks: {
    get_ratelimit_override_for_user: {
      combine: firstDecisive({
        isNeutral: (r) => r === null || r === undefined,
        fallback: () => null,
      }),
      onError: propagate(),
      args: ['shared', 'shared'],
    },
  },
});
