/**
 * What a module's exception means, per built-in callback, restated from Synapse's source:
 * - propagate: no `try` around the call (the operation fails with the error itself);
 * - ignore: `except Exception: logger.warning/exception(...)` and the next callback runs;
 * - 500 unless status: `check_event_allowed` re-raises a SynapseError, wraps anything else;
 * - 403 unless status: `on_create_room` (SynapseError kept, anything else 403);
 * - 500 always: `except Exception: raise SynapseError(500, "Internal Server Error")`.
 * Each callback is run with a plain Error and with an HttpError carrying its own status.
 */
import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { HttpError } from '../../src/callbacks/http-error.js';
import { synapseCategories } from '../../src/categories/synapse/index.js';
import { failing, setup } from './helpers.js';

type Mapping = 'propagate' | 'ignore' | '500 unless status' | '403 unless status' | '500 always';

const SPAM = [
  'check_event_for_spam',
  'should_drop_federated_event',
  'user_may_join_room',
  'user_may_invite',
  'federated_user_may_invite',
  'user_may_send_3pid_invite',
  'user_may_create_room',
  'user_may_create_room_alias',
  'user_may_publish_room',
  'user_may_send_state_event',
  'check_username_for_spam',
  'check_registration_for_spam',
  'check_media_file_for_spam',
  'check_login_for_spam',
];

const EXPECTED: Record<string, Mapping> = {
  ...Object.fromEntries(SPAM.map((n) => [`spam_checker.${n}`, 'propagate' as const])),
  'third_party_rules.check_event_allowed': '500 unless status',
  'third_party_rules.on_create_room': '403 unless status',
  'third_party_rules.check_threepid_can_be_invited': 'ignore',
  'third_party_rules.check_visibility_can_be_modified': 'ignore',
  'third_party_rules.on_new_event': 'ignore',
  'third_party_rules.check_can_shutdown_room': 'ignore',
  'third_party_rules.check_can_deactivate_user': 'ignore',
  'third_party_rules.on_profile_update': 'ignore',
  'third_party_rules.on_user_deactivation_status_changed': 'ignore',
  'third_party_rules.on_threepid_bind': 'ignore',
  'third_party_rules.on_add_user_third_party_identifier': 'ignore',
  'third_party_rules.on_remove_user_third_party_identifier': 'ignore',
  'account_validity.is_user_expired': 'propagate',
  'account_validity.on_user_registration': 'propagate',
  'account_validity.on_user_login': 'propagate',
  'account_validity.on_legacy_send_mail': 'propagate',
  'account_validity.on_legacy_renew': 'propagate',
  'account_validity.on_legacy_admin_request': 'propagate',
  'password_auth_provider.check_auth': 'ignore',
  'password_auth_provider.check_3pid_auth': 'ignore',
  'password_auth_provider.on_logged_out': 'ignore',
  'password_auth_provider.get_username_for_registration': '500 always',
  'password_auth_provider.get_displayname_for_registration': '500 always',
  'password_auth_provider.is_3pid_allowed': '500 always',
  'presence_router.get_users_for_states': 'ignore',
  'presence_router.get_interested_users': 'ignore',
  'background_update_controller.on_update': 'propagate',
  'background_update_controller.default_batch_size': 'propagate',
  'background_update_controller.min_batch_size': 'propagate',
  'account_data.on_account_data_updated': 'ignore',
  'add_extra_fields_to_unsigned.add_field_to_unsigned': 'propagate',
  'media_repository.get_media_config_for_user': 'propagate',
  'media_repository.is_user_allowed_to_upload_media_of_size': 'propagate',
  'media_repository.get_media_upload_limits_for_user': 'propagate',
  'media_repository.on_media_upload_limit_exceeded': 'propagate',
  'ratelimit.get_ratelimit_override_for_user': 'propagate',
};

function mappingOf(spec: (typeof synapseCategories)[number]['callbacks'][string]): Mapping {
  const e = spec.onError;
  if (e.kind !== 'wrap') return e.kind;
  if (!e.keepHttpErrors) return `${e.status} always` as Mapping;
  return `${e.status} unless status` as Mapping;
}

const ARGS: Record<string, unknown[]> = {
  federated_user_may_invite: [{ sender: '@a:x', state_key: '@b:x', room_id: '!r:x' }],
  check_auth: ['alice', 'm.login.password', { password: 'p' }],
};

async function outcome(category: string, name: string, error: Error) {
  const f = setup();
  const fn = failing([], 'a', error);
  const callbacks: Record<string, unknown> =
    name === 'check_auth'
      ? { auth_checkers: { 'm.login.password': { fields: ['password'], check: fn } } }
      : { [name]: fn };
  if (category === 'presence_router')
    Object.assign(callbacks, { get_users_for_states: fn, get_interested_users: fn });
  f.registry.register(f.mod(0), category, callbacks);
  const args = ARGS[name] ?? [{ content: {} }, new Map(), true, 1];
  try {
    await f.registry.run(hostCategory(category), name, ...args);
    return 'resolved';
  } catch (thrown) {
    return thrown;
  }
}

describe('exception mapping of the built-in callbacks (audited against Synapse)', () => {
  it('the table covers every callback of the pack', () => {
    const actual: Record<string, Mapping> = {};
    for (const category of synapseCategories)
      for (const [name, spec] of Object.entries(category.callbacks))
        if (!spec.accept) actual[`${category.name}.${name}`] = mappingOf(spec);
    expect(actual).to.deep.equal(EXPECTED);
  });

  for (const [key, mapping] of Object.entries(EXPECTED)) {
    const [category, name] = key.split('.') as [string, string];
    it(`${key}: ${mapping}`, async () => {
      const plain = new Error('module broke');
      const own = new HttpError(418, 'M_TEAPOT', 'a teapot');
      const [a, b] = [await outcome(category, name, plain), await outcome(category, name, own)];
      switch (mapping) {
        case 'propagate':
          expect(a).to.equal(plain);
          expect(b).to.equal(own);
          break;
        case 'ignore':
          expect(a).to.equal('resolved');
          expect(b).to.equal('resolved');
          break;
        case '500 always':
          for (const [thrown, cause] of [
            [a, plain],
            [b, own],
          ] as const) {
            expect(thrown).to.include({ status: 500, errcode: 'M_UNKNOWN' });
            expect((thrown as Error).message).to.equal('Internal Server Error');
            expect((thrown as Error).cause).to.equal(cause);
          }
          break;
        default: {
          const status = Number(mapping.slice(0, 3));
          expect(a).to.include({ status });
          expect((a as Error).cause).to.equal(plain);
          expect(b).to.equal(own);
        }
      }
    });
  }
});
