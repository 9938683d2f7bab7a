/**
 * Hand-written notes for the callback reference: what a result means for each built-in
 * callback (what the category's normaliser and neutral test encode in code). Everything else
 * in docs/callbacks.md comes from the category definitions and signatures.ts. The docs test
 * fails when a callback has no note here or a note names a callback that does not exist.
 */
export const CATEGORY_INTROS: Record<string, string> = {
  spam_checker:
    'Every callback is first-decisive; exceptions propagate (the operation fails, a client gets 500) unless the module sets `on_error`. Results are normalised to `NOT_SPAM` or `[code, fields]` before combining. Mind the polarity: for `check_event_for_spam` and `check_media_file_for_spam` `true` rejects, while for the `user_may_*` family `true` allows.',
  third_party_rules:
    'Event admission (with replacement), room-creation hooks that may change the request, boolean checks where only a result identical to `false` denies (`0`, `null` and `""` allow), and notifications.',
  account_validity: 'Whether accounts have expired, and hooks on registration and login.',
  password_auth_provider:
    'Custom login types, logins by third-party ID, names chosen at registration and third-party ID policy.',
  presence_router: 'Which users receive which presence updates.',
  background_update_controller: 'Pacing of background database updates.',
  account_data: "Notification after a change to a user's account data.",
  add_extra_fields_to_unsigned: "Extra fields for an event's `unsigned` section when it is served.",
  media_repository: 'Per-user media configuration and upload limits (experimental in Synapse).',
  ratelimit: 'Per-user rate-limit overrides (experimental in Synapse).',
};

export const CALLBACK_NOTES: Record<string, string> = {
  'spam_checker.check_event_for_spam':
    '`NOT_SPAM` or `false` allow; `true` rejects with `M_FORBIDDEN`; a code or `[code, fields]` rejects with it; any other string rejects carrying it as the error message (deprecated).',
  'spam_checker.should_drop_federated_event': 'The first truthy result drops the event.',
  'spam_checker.user_may_join_room':
    '`NOT_SPAM` or `true` allow; `false` rejects with `M_FORBIDDEN`; a code or `[code, fields]` rejects with it; anything else is logged and rejects.',
  'spam_checker.user_may_invite': 'Normalised as `user_may_join_room`.',
  'spam_checker.federated_user_may_invite':
    "Normalised as `user_may_join_room`; when every module allows, the host falls through to `user_may_invite` with the event's sender, state key and room.",
  'spam_checker.user_may_send_3pid_invite': 'Normalised as `user_may_join_room`.',
  'spam_checker.user_may_create_room':
    'Normalised as `user_may_join_room`. Each callback gets its own deep copy of `room_config`.',
  'spam_checker.user_may_create_room_alias': 'Normalised as `user_may_join_room`.',
  'spam_checker.user_may_publish_room': 'Normalised as `user_may_join_room`.',
  'spam_checker.user_may_send_state_event':
    'Only `NOT_SPAM` allows; a code rejects with it; anything else rejects with `M_FORBIDDEN`.',
  'spam_checker.check_username_for_spam':
    'The first truthy result marks the user as spammy (hidden from the directory).',
  'spam_checker.check_registration_for_spam':
    '`RegistrationBehaviour.ALLOW` continues; the first `DENY` or `SHADOW_BAN` is returned; any other result is an error (`MODHOST_CALLBACK_BAD_RESULT`).',
  'spam_checker.check_media_file_for_spam': 'Normalised as `check_event_for_spam`.',
  'spam_checker.check_login_for_spam':
    'Only `NOT_SPAM` allows; a code or `[code, fields]` rejects with it; anything else is logged and rejects.',
  'third_party_rules.check_event_allowed':
    'Return `[allowed, replacement]`: the first `false` gives `[false, null]`; the first replacement event gives `[true, replacement]`; otherwise `[true, null]`. A bare boolean or a bare event dict is accepted too.',
  'third_party_rules.on_create_room':
    'Every callback gets the same `request_content` object, so later callbacks see earlier changes. A throw stops the chain.',
  'third_party_rules.check_threepid_can_be_invited':
    'The first result identical to `false` denies.',
  'third_party_rules.check_visibility_can_be_modified':
    'The first result identical to `false` denies.',
  'third_party_rules.on_new_event':
    'Called after an event is stored. Every instance calls it: gate side effects on one instance (see docs/many-instances.md).',
  'third_party_rules.check_can_shutdown_room':
    'The first result identical to `false` denies (403).',
  'third_party_rules.check_can_deactivate_user':
    'The first result identical to `false` denies (403).',
  'third_party_rules.on_profile_update': 'Called after a display name or avatar change.',
  'third_party_rules.on_user_deactivation_status_changed':
    'Called after a user is deactivated or reactivated.',
  'third_party_rules.on_threepid_bind':
    'Deprecated in Synapse in favour of `on_add_user_third_party_identifier`.',
  'third_party_rules.on_add_user_third_party_identifier':
    'Called after a third-party ID is added to an account.',
  'third_party_rules.on_remove_user_third_party_identifier':
    'Called after a third-party ID is removed from an account.',
  'account_validity.is_user_expired':
    'The first result that is not `null` (or `undefined`) wins; when every module returns `null`, the user is not expired.',
  'account_validity.on_user_registration': 'Called after a user registers.',
  'account_validity.on_user_login': 'Called after a user logs in.',
  'account_validity.on_legacy_send_mail':
    "Synapse's legacy account-validity hooks: one module at most.",
  'account_validity.on_legacy_renew':
    "Synapse's legacy account-validity hooks: one module at most.",
  'account_validity.on_legacy_admin_request':
    "Synapse's legacy account-validity hooks: one module at most.",
  'password_auth_provider.auth_checkers':
    'Registered as a map `{ [loginType]: { fields, check } }` (Synapse: a dict keyed by `(login_type, fields)`); each checker becomes an entry of `check_auth`. Two modules registering one login type with different fields refuse to start.',
  'password_auth_provider.check_auth':
    "Not registered directly: the host runs it as `run('password_auth_provider', 'check_auth', username, loginType, loginDict)`. The checkers of that login type are tried in order, each with a login dict holding only its fields; a missing field is a 400 `M_MISSING_PARAM` before any checker runs; the first valid `[userId, postLoginCallback | null]` wins; a malformed result is logged and skipped. `supportedLoginTypes(host.callbacks)` lists the registered login types.",
  'password_auth_provider.check_3pid_auth':
    'The first valid `[userId, postLoginCallback | null]` wins; a malformed result is logged and skipped.',
  'password_auth_provider.on_logged_out': 'Called after a logout.',
  'password_auth_provider.get_username_for_registration':
    'The first string wins; a result that is neither a string nor `null` is logged and skipped.',
  'password_auth_provider.get_displayname_for_registration': 'As `get_username_for_registration`.',
  'password_auth_provider.is_3pid_allowed':
    'The first `false` denies (the host answers 403 `M_THREEPID_DENIED`); a non-boolean result is logged and ignored.',
  'presence_router.get_users_for_states':
    'Results merge by union of the state sets per user; a non-map result is logged and skipped. Must be registered together with `get_interested_users`.',
  'presence_router.get_interested_users':
    'Results merge by union; the first `PRESENCE_ALL_USERS` (`"ALL"`) is returned at once. Must be registered together with `get_users_for_states`.',
  'background_update_controller.on_update':
    "Synchronous; returns `{ enter(): Promise<number>, exit(error?) }` standing in for Synapse's async context manager (the target batch duration in ms).",
  'background_update_controller.default_batch_size': 'The batch size of a new update.',
  'background_update_controller.min_batch_size': 'The smallest batch size.',
  'account_data.on_account_data_updated': 'Called after account data changes.',
  'add_extra_fields_to_unsigned.add_field_to_unsigned':
    "Results merge by dict update in order (the last module wins a key); keys the event's own `unsigned` already holds are never overwritten.",
  'media_repository.get_media_config_for_user':
    "The first result that is truthy in Python wins (Synapse's code `if res:`; its docs say first non-null): `null`, an empty dict `{}`, `[]`, `''`, `0` and `false` all let the next module answer.",
  'media_repository.is_user_allowed_to_upload_media_of_size':
    'The first falsy result is returned; otherwise `true`.',
  'media_repository.get_media_upload_limits_for_user':
    'The first non-null result wins (`[]` means no limits); it is returned sorted by `time_period_ms`, longest period first, as Synapse sorts it. A non-list is logged and lets the next module answer.',
  'media_repository.on_media_upload_limit_exceeded': 'Each callback gets its own copy of `limit`.',
  'ratelimit.get_ratelimit_override_for_user':
    'The first non-null `{ per_second, burst_count }` wins.',
};
