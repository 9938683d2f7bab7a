/**
 * The spam-checker callbacks http_antispam forwards: the JSON field names of each argument, and
 * what kind of answer Synapse expects back (the polarity differs between callbacks).
 */

/**
 * - `decision`: NOT_SPAM to allow, a code or `[code, fields]` to reject;
 * - `registration`: 'allow' / 'deny' / 'shadow_ban';
 * - `flag`: false to allow, true to reject (check_username_for_spam, should_drop_federated_event).
 */
export type AnswerKind = 'decision' | 'registration' | 'flag';

export interface ForwardedCallback {
  /** The JSON field each positional argument is sent as. */
  fields: readonly string[];
  answer: AnswerKind;
}

export const FORWARDED_CALLBACKS: Readonly<Record<string, ForwardedCallback>> = {
  user_may_join_room: { fields: ['user_id', 'room_id', 'is_invited'], answer: 'decision' },
  user_may_invite: { fields: ['inviter', 'invitee', 'room_id'], answer: 'decision' },
  user_may_send_3pid_invite: {
    fields: ['inviter', 'medium', 'address', 'room_id'],
    answer: 'decision',
  },
  user_may_create_room: { fields: ['user_id', 'room_config'], answer: 'decision' },
  user_may_create_room_alias: { fields: ['user_id', 'room_alias'], answer: 'decision' },
  user_may_publish_room: { fields: ['user_id', 'room_id'], answer: 'decision' },
  check_event_for_spam: { fields: ['event'], answer: 'decision' },
  check_login_for_spam: {
    fields: ['user_id', 'device_id', 'initial_display_name', 'request_info', 'auth_provider_id'],
    answer: 'decision',
  },
  check_registration_for_spam: {
    fields: ['email_threepid', 'username', 'request_info', 'auth_provider_id'],
    answer: 'registration',
  },
  check_username_for_spam: { fields: ['user_profile', 'requester_id'], answer: 'flag' },
  should_drop_federated_event: { fields: ['event'], answer: 'flag' },
};
