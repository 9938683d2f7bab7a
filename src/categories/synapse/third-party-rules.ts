/**
 * third_party_rules (Synapse's third_party_event_rules_callbacks.py): event admission with
 * optional replacement, room-creation hooks that may mutate the request, boolean checks where
 * only an identical `false` denies, and notifications.
 */
import {
  custom,
  defineCategory,
  firstDecisive,
  ignoreAndLog,
  runAll,
  wrapAsModuleFailure,
} from '../define.js';
import { type CallbackSpec, type CallContext, DENIED, SKIPPED } from '../types.js';

type ArgumentRules = CallbackSpec['args'];
import { Codes } from './constants.js';

/** `[allowed, replacement]`: a replacement is a new event dict, or null to keep the event. */
export type EventAllowedResult = readonly [
  allowed: boolean,
  replacement: Record<string, any> | null,
];

function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads a check_event_allowed result: `[bool, dict|null]`, or the legacy bare `bool` / dict.
 * Returns undefined for "allowed, nothing to replace".
 */
export function decideEventAllowed(
  raw: unknown,
  call: CallContext,
): EventAllowedResult | undefined {
  let allowed: unknown = raw;
  let replacement: unknown = null;
  if (Array.isArray(raw)) [allowed, replacement] = raw;
  else if (isPlainObject(raw)) [allowed, replacement] = [true, raw];
  if (allowed === false) return [false, null];
  if (isPlainObject(replacement)) return [true, replacement];
  if (allowed !== true && allowed !== undefined && allowed !== null)
    call.warn('check_event_allowed returned a non-boolean verdict; treating it as allowed');
  return undefined;
}

/** Boolean checks: the first result identical to `false` denies; exceptions allow. */
function identicalFalseDenies(args: ArgumentRules): CallbackSpec {
  return {
    combine: firstDecisive({ isNeutral: (r) => r !== false, fallback: () => true }),
    onError: ignoreAndLog(),
    decision: { deny: () => false },
    args,
  };
}

function notification(args: ArgumentRules): CallbackSpec {
  return { combine: runAll(), onError: ignoreAndLog(), args };
}

// Argument rules: events, state maps, the requester and profiles are immutable in Synapse
// (frozen here); on_create_room's request content is the one value callbacks are meant to
// change, so every callback and the caller share it.
const THREE_SHARED = ['shared', 'shared', 'shared'] as const;

export const thirdPartyRules = defineCategory({
  name: 'third_party_rules',
  description:
    'Event admission, room creation and visibility rules, profile and 3PID notifications.',
  callbacks: {
    check_event_allowed: {
      combine: custom(async (context, args): Promise<EventAllowedResult> => {
        for (const entry of context.entries) {
          const raw = await context.invoke(entry, args);
          if (raw === DENIED) return [false, null];
          if (raw === SKIPPED) continue;
          const decided = decideEventAllowed(raw, entry);
          if (decided !== undefined) return decided;
        }
        return [true, null];
      }),
      onError: wrapAsModuleFailure(),
      decision: { deny: () => [false, null] },
      args: ['frozen', 'frozen'],
    },
    on_create_room: {
      // The same request_content object goes to every callback: later ones see mutations.
      combine: runAll(),
      onError: wrapAsModuleFailure({
        status: 403,
        errcode: Codes.FORBIDDEN,
        message: 'Room creation forbidden with these parameters',
      }),
      args: ['frozen', 'shared', 'shared'],
    },
    check_threepid_can_be_invited: identicalFalseDenies(['shared', 'shared', 'frozen']),
    check_visibility_can_be_modified: identicalFalseDenies(['shared', 'frozen', 'shared']),
    on_new_event: notification(['frozen', 'frozen']),
    check_can_shutdown_room: identicalFalseDenies(['shared', 'shared']),
    check_can_deactivate_user: identicalFalseDenies(['shared', 'shared']),
    on_profile_update: notification(['shared', 'frozen', 'shared', 'shared']),
    on_user_deactivation_status_changed: notification(THREE_SHARED),
    on_threepid_bind: notification(THREE_SHARED),
    on_add_user_third_party_identifier: notification(THREE_SHARED),
    on_remove_user_third_party_identifier: notification(THREE_SHARED),
  },
});
