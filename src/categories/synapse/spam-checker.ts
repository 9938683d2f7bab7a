/**
 * spam_checker (Synapse's spamchecker_callbacks.py). Every callback is first-decisive and
 * exceptions propagate. Results are normalised to `NOT_SPAM` or `[code, fields]`; mind the
 * polarity: for `check_event_for_spam`/`check_media_file_for_spam` `true` rejects, while for the
 * `user_may_*` family `true` allows.
 */
import { ErrorCode } from '../../errors/codes.js';
import { ModhostError } from '../../errors/modhost-error.js';
import { badResultMessage } from '../../errors/callback-messages.js';
import { custom, defineCategory, firstDecisive, propagate } from '../define.js';
import {
  type ArgumentRule,
  type CallbackSpec,
  type CallContext,
  DENIED,
  SKIPPED,
} from '../types.js';
import {
  Codes,
  isCode,
  NOT_SPAM,
  RegistrationBehaviour,
  type SpamDecision,
  type SpamRejection,
} from './constants.js';

const DEFAULT_SPAM_MESSAGE = 'This message has been rejected as probable spam';

function forbidden(): SpamRejection {
  return [Codes.FORBIDDEN, {}];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isRejection(value: unknown): value is SpamRejection {
  return Array.isArray(value) && value.length === 2 && isCode(value[0]) && isPlainObject(value[1]);
}

/** check_event_for_spam / check_media_file_for_spam: `false` continues, `true` rejects. */
export function normaliseEventCheck(raw: unknown, call: CallContext): SpamDecision {
  if (raw === false || raw === NOT_SPAM) return NOT_SPAM;
  if (raw === true) return forbidden();
  if (isRejection(raw)) return raw;
  if (isCode(raw)) return [raw, {}];
  // Deprecated: any other string rejects, carrying it as the error message.
  if (typeof raw === 'string') return [Codes.FORBIDDEN, { error: raw }];
  call.warn('Spam checker returned an invalid value; rejecting as spam', { result: String(raw) });
  return [Codes.FORBIDDEN, { error: DEFAULT_SPAM_MESSAGE }];
}

/** user_may_* family: `NOT_SPAM` or `true` continue; `false` rejects. */
export function normaliseUserMay(raw: unknown, call: CallContext): SpamDecision {
  if (raw === NOT_SPAM || raw === true) return NOT_SPAM;
  if (raw === false) return forbidden();
  if (isCode(raw)) return [raw, {}];
  if (isRejection(raw)) return raw;
  call.warn('Spam checker returned an invalid value; denying', { result: String(raw) });
  return forbidden();
}

/** user_may_send_state_event: only `NOT_SPAM` continues; a code keeps its code. */
export function normaliseStateEvent(raw: unknown): SpamDecision {
  if (raw === NOT_SPAM) return NOT_SPAM;
  if (isCode(raw)) return [raw, {}];
  return forbidden();
}

/** check_login_for_spam: only `NOT_SPAM` continues. */
export function normaliseLogin(raw: unknown, call: CallContext): SpamDecision {
  if (raw === NOT_SPAM) return NOT_SPAM;
  if (isCode(raw)) return [raw, {}];
  if (isRejection(raw)) return raw;
  call.warn('Spam checker returned an invalid value; denying the login', { result: String(raw) });
  return forbidden();
}

const REGISTRATION_VALUES: ReadonlySet<unknown> = new Set(Object.values(RegistrationBehaviour));

export function normaliseRegistration(raw: unknown, call: CallContext): unknown {
  if (REGISTRATION_VALUES.has(raw)) return raw;
  throw new ModhostError(
    ErrorCode.CALLBACK_BAD_RESULT,
    badResultMessage(
      call.module,
      call.category,
      call.callback,
      'RegistrationBehaviour.ALLOW, SHADOW_BAN or DENY',
      raw,
    ),
  );
}

const isNotSpam = (result: unknown): boolean => result === NOT_SPAM;
const notSpam = (): string => NOT_SPAM;

function spamDecision(
  normalise: (raw: unknown, call: CallContext) => unknown,
  args: readonly ArgumentRule[],
): CallbackSpec {
  return {
    combine: firstDecisive({ normalise, isNeutral: isNotSpam, fallback: notSpam }),
    onError: propagate(),
    decision: { deny: forbidden },
    args,
  };
}

/** "first truthy result wins"; false when every callback returned something falsy. */
function firstTruthy(
  args: readonly ArgumentRule[],
  normalise?: (raw: unknown) => unknown,
): CallbackSpec {
  return {
    combine: firstDecisive({ normalise, isNeutral: (r) => !r, fallback: () => false }),
    onError: propagate(),
    decision: { deny: () => true },
    args,
  };
}

// Argument rules follow spamchecker_callbacks.py: events are immutable there (frozen here);
// room_config, state content and the user profile are copied per callback (Synapse: deepcopy,
// and `.copy()` of a profile whose values are all strings); dicts and lists Synapse passes by reference (email_threepid, request_info,
// file_info) are frozen here so no module can change what the caller holds.
const EVENT = ['frozen'] as const;

export const spamChecker = defineCategory({
  name: 'spam_checker',
  description: 'Spam checks on events, invites, rooms, registrations, logins and media.',
  callbacks: {
    check_event_for_spam: spamDecision(normaliseEventCheck, EVENT),
    should_drop_federated_event: firstTruthy(EVENT),
    user_may_join_room: spamDecision(normaliseUserMay, ['shared', 'shared', 'shared']),
    user_may_invite: spamDecision(normaliseUserMay, ['shared', 'shared', 'shared']),
    federated_user_may_invite: {
      // Normalised like user_may_*; when every module allows, falls through to user_may_invite.
      combine: custom(async (context, args) => {
        for (const entry of context.entries) {
          const raw = await context.invoke(entry, args);
          if (raw === DENIED) return forbidden();
          if (raw === SKIPPED) continue;
          const result = normaliseUserMay(raw, entry);
          if (result !== NOT_SPAM) return result;
        }
        const event = args[0] as { sender?: string; state_key?: string; room_id?: string };
        return context.run('user_may_invite', [event.sender, event.state_key, event.room_id]);
      }),
      onError: propagate(),
      decision: { deny: forbidden },
      args: EVENT,
    },
    user_may_send_3pid_invite: spamDecision(normaliseUserMay, [
      'shared',
      'shared',
      'shared',
      'shared',
    ]),
    user_may_create_room: spamDecision(normaliseUserMay, ['shared', 'copy']),
    user_may_create_room_alias: spamDecision(normaliseUserMay, ['shared', 'shared']),
    user_may_publish_room: spamDecision(normaliseUserMay, ['shared', 'shared']),
    user_may_send_state_event: spamDecision(normaliseStateEvent, [
      'shared',
      'shared',
      'shared',
      'shared',
      'copy',
    ]),
    check_username_for_spam: firstTruthy(['copy', 'shared'], (raw) => Boolean(raw)),
    check_registration_for_spam: {
      combine: firstDecisive({
        normalise: normaliseRegistration,
        isNeutral: (r) => r === RegistrationBehaviour.ALLOW,
        fallback: () => RegistrationBehaviour.ALLOW,
      }),
      onError: propagate(),
      decision: { deny: () => RegistrationBehaviour.DENY },
      args: ['frozen', 'shared', 'frozen', 'shared'],
    },
    // The file is a reader object (shared); its metadata is immutable in Synapse (FileInfo).
    check_media_file_for_spam: spamDecision(normaliseEventCheck, ['shared', 'frozen']),
    check_login_for_spam: spamDecision(normaliseLogin, [
      'shared',
      'shared',
      'shared',
      'frozen',
      'shared',
    ]),
  },
});
