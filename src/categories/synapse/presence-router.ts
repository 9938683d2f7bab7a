/**
 * presence_router (Synapse's events/presence_router.py). Both callbacks must be registered
 * together. Results merge by union; a throwing or wrong-typed result is a warning and skipped.
 */
import { defineCategory, ignoreAndLog, merge } from '../define.js';
import type { CallContext } from '../types.js';
import { PRESENCE_ALL_USERS } from './constants.js';

function asEntries(raw: unknown): Iterable<[string, unknown]> | undefined {
  if (raw instanceof Map) return raw as Map<string, unknown>;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !(raw instanceof Set))
    return Object.entries(raw);
  return undefined;
}

function isStateCollection(value: unknown): value is Iterable<unknown> {
  return value instanceof Set || Array.isArray(value);
}

/** Unions one `user_id → states` result (a Map or a plain object of Sets/arrays) into `acc`. */
function unionStates(acc: unknown, raw: unknown, call: CallContext): unknown {
  const map = acc as Map<string, Set<unknown>>;
  const entries = asEntries(raw);
  if (entries === undefined || ![...entries].every(([, v]) => isStateCollection(v))) {
    call.warn(
      'get_users_for_states returned something other than a map of user id to states; skipping it',
    );
    return map;
  }
  for (const [userId, states] of asEntries(raw)!) {
    let set = map.get(userId);
    if (set === undefined) map.set(userId, (set = new Set()));
    for (const state of states as Iterable<unknown>) set.add(state);
  }
  return map;
}

function unionUsers(acc: unknown, raw: unknown, call: CallContext): unknown {
  const set = acc as Set<string>;
  if (!isStateCollection(raw) || ![...raw].every((u) => typeof u === 'string')) {
    call.warn(
      'get_interested_users returned something other than a set of user ids or "ALL"; skipping it',
    );
    return set;
  }
  for (const userId of raw as Iterable<string>) set.add(userId);
  return set;
}

export const presenceRouter = defineCategory({
  name: 'presence_router',
  description: 'Routing presence updates to extra users.',
  paired: [['get_users_for_states', 'get_interested_users']],
  callbacks: {
    get_users_for_states: {
      combine: merge({ initial: () => new Map(), reduce: unionStates }),
      onError: ignoreAndLog(),
      // UserPresenceState is immutable in Synapse.
      args: ['frozen'],
    },
    get_interested_users: {
      combine: merge({
        initial: () => new Set(),
        reduce: unionUsers,
        // The first ALL ends the run: every user is interested.
        isDecisive: (raw) => raw === PRESENCE_ALL_USERS,
      }),
      onError: ignoreAndLog(),
      args: ['shared'],
    },
  },
});
