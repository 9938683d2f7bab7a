/** account_validity (Synapse's account_validity_callbacks.py). Exceptions propagate. */
import { defineCategory, firstDecisive, once, propagate, runAll } from '../define.js';

// Every argument is a string, except the legacy admin request (an object with behaviour): shared.
const legacy = () =>
  ({ combine: once({ duplicate: 'error' }), onError: propagate(), args: ['shared'] }) as const;

export const accountValidity = defineCategory({
  name: 'account_validity',
  description: 'Whether accounts have expired, and hooks on registration and login.',
  callbacks: {
    is_user_expired: {
      // First non-null (and non-undefined) verdict wins; all null means not expired.
      combine: firstDecisive({
        isNeutral: (r) => r === null || r === undefined,
        fallback: () => false,
      }),
      onError: propagate(),
      decision: { deny: () => true },
      args: ['shared'],
    },
    on_user_registration: { combine: runAll(), onError: propagate(), args: ['shared'] },
    on_user_login: {
      combine: runAll(),
      onError: propagate(),
      args: ['shared', 'shared', 'shared'],
    },
    on_legacy_send_mail: legacy(),
    on_legacy_renew: legacy(),
    on_legacy_admin_request: legacy(),
  },
});
