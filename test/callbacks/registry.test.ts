import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { ErrorCode } from '../../src/errors/codes.js';
import { NOT_SPAM } from '../../src/categories/synapse/index.js';
import { rejection, setup, throws } from './helpers.js';

describe('CallbackRegistry registration', () => {
  it('rejects an unknown category, naming the module and suggesting the closest', () => {
    const { registry, mod } = setup();
    const err = throws(() =>
      registry.register(mod(0), 'spam_checkr', { check_event_for_spam: () => NOT_SPAM }),
    );
    expect(err.code).to.equal(ErrorCode.UNKNOWN_CATEGORY);
    expect(err.message).to.contain('"first"');
    expect(err.message).to.contain('did you mean "spam_checker"');
    expect(err.message).to.contain('third_party_rules');
  });

  it('rejects an unknown callback name with a did-you-mean and the valid names', () => {
    const { registry, mod } = setup();
    const err = throws(() =>
      registry.register(mod(0), 'spam_checker', { check_event_for_spamm: () => NOT_SPAM }),
    );
    expect(err.code).to.equal(ErrorCode.UNKNOWN_CALLBACK);
    expect(err.message).to.contain('did you mean "check_event_for_spam"');
    expect(err.message).to.contain('user_may_join_room');
    expect(err.message).to.contain('Module "first"');
  });

  it('does not offer internal callbacks as registrable names', () => {
    const { registry, mod } = setup();
    const err = throws(() =>
      registry.register(mod(0), 'password_auth_provider', { check_auth: async () => null }),
    );
    expect(err.code).to.equal(ErrorCode.UNKNOWN_CALLBACK);
    expect(err.message).to.contain('auth_checkers');
    expect(err.message).not.to.match(/Valid callbacks[^.]*check_auth\b/);
  });

  it('rejects a value that is not a function', () => {
    const { registry, mod } = setup();
    const err = throws(() => registry.register(mod(1), 'spam_checker', { user_may_invite: 'yes' }));
    expect(err.code).to.equal(ErrorCode.CALLBACK_NOT_FUNCTION);
    expect(err.message).to.contain('"second"');
    expect(err.message).to.contain('spam_checker.user_may_invite');
  });

  it('rejects a non-object set of callbacks', () => {
    const { registry, mod } = setup();
    const err = throws(() => registry.register(mod(0), 'spam_checker', null as any));
    expect(err.code).to.equal(ErrorCode.CALLBACK_NOT_FUNCTION);
  });

  it('registers nothing when any name of a call is wrong (atomic)', () => {
    const { registry, mod } = setup();
    throws(() =>
      registry.register(mod(0), 'spam_checker', {
        user_may_invite: async () => NOT_SPAM,
        nonsense: async () => NOT_SPAM,
      }),
    );
    expect(registry.has('spam_checker', 'user_may_invite')).to.equal(false);
  });

  it('skips callbacks given as undefined or null, as Synapse skips None', () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'spam_checker', {
      user_may_invite: undefined,
      user_may_join_room: null,
    });
    expect(registry.has('spam_checker', 'user_may_invite')).to.equal(false);
    expect(registry.registrations('first')).to.deep.equal([]);
  });

  it('appends across several register calls of one module and reports registrations', () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'spam_checker', { user_may_invite: async () => NOT_SPAM });
    registry.register(mod(0), 'spam_checker', { user_may_invite: async () => NOT_SPAM });
    registry.register(mod(0), 'account_data', { on_account_data_updated: async () => {} });
    expect(registry.entries('spam_checker', 'user_may_invite')).to.have.length(2);
    expect(registry.registrations('first')).to.deep.equal([
      { category: 'spam_checker', name: 'user_may_invite' },
      { category: 'account_data', name: 'on_account_data_updated' },
    ]);
    expect(registry.registrations('nobody')).to.deep.equal([]);
  });

  it('has() tells whether anything is registered and rejects unknown names', () => {
    const { registry, mod } = setup();
    expect(registry.has('spam_checker', 'check_event_for_spam')).to.equal(false);
    registry.register(mod(0), 'spam_checker', { check_event_for_spam: async () => NOT_SPAM });
    expect(registry.has('spam_checker', 'check_event_for_spam')).to.equal(true);
    expect(throws(() => registry.has('spam_checker', 'nope')).code).to.equal(
      ErrorCode.UNKNOWN_CALLBACK,
    );
    expect(throws(() => registry.has('nope', 'x')).code).to.equal(ErrorCode.UNKNOWN_CATEGORY);
  });

  it('run() of an unknown name rejects with a did-you-mean', async () => {
    const { registry } = setup();
    const err = await rejection(registry.run(hostCategory('spam_checker'), 'user_may_invitee'));
    expect(err.code).to.equal(ErrorCode.UNKNOWN_CALLBACK);
    expect(err.message).to.contain('did you mean "spam_checker.user_may_invite"');
  });

  it('refuses registration after seal()', () => {
    const { registry, mod } = setup();
    registry.seal();
    const err = throws(() =>
      registry.register(mod(0), 'spam_checker', { user_may_invite: async () => NOT_SPAM }),
    );
    expect(err.code).to.equal(ErrorCode.HOST_STATE);
    expect(err.message).to.contain('"first"');
  });
});

describe('once, exclusive, paired and conflicts', () => {
  it('a second registration of a ONCE callback is an error naming both modules', () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'account_validity', { on_legacy_renew: async () => [true, true, 0] });
    const err = throws(() =>
      registry.register(mod(1), 'account_validity', {
        on_legacy_renew: async () => [true, true, 0],
      }),
    );
    expect(err.code).to.equal(ErrorCode.CALLBACK_ONCE_VIOLATED);
    expect(err.message).to.contain('"second"');
    expect(err.message).to.contain('"first"');
    expect(err.message).to.contain('account_validity.on_legacy_renew');
  });

  it('a ONCE callback registered twice by one module is an error too', () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'account_validity', { on_legacy_send_mail: async () => {} });
    const err = throws(() =>
      registry.register(mod(0), 'account_validity', { on_legacy_send_mail: async () => {} }),
    );
    expect(err.code).to.equal(ErrorCode.CALLBACK_ONCE_VIOLATED);
  });

  it('background_update_controller belongs to the first module; the second is ignored with a warning', async () => {
    const { registry, mod, logs } = setup();
    registry.register(mod(0), 'background_update_controller', {
      default_batch_size: async () => 100,
    });
    // The same module may add the rest of the set later (decorated methods arrive one by one).
    registry.register(mod(0), 'background_update_controller', { min_batch_size: async () => 10 });
    registry.register(mod(1), 'background_update_controller', {
      default_batch_size: async () => 5,
      min_batch_size: async () => 1,
    });
    expect(
      await registry.run('background_update_controller', 'default_batch_size', 'u', 'db'),
    ).to.equal(100);
    expect(
      await registry.run('background_update_controller', 'min_batch_size', 'u', 'db'),
    ).to.equal(10);
    expect(registry.registrations('second')).to.deep.equal([]);
    const warning = logs.find((r) => r.levelName === 'warn' && r.module === 'second');
    expect(warning?.msg).to.contain('"first"');
  });

  it('presence_router callbacks must be registered together (checked at seal)', () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'presence_router', { get_users_for_states: async () => new Map() });
    registry.register(mod(0), 'presence_router', { get_interested_users: async () => new Set() });
    registry.register(mod(1), 'presence_router', { get_interested_users: async () => new Set() });
    const err = throws(() => registry.seal());
    expect(err.code).to.equal(ErrorCode.CALLBACK_PAIR_INCOMPLETE);
    expect(err.message).to.contain('"second"');
    expect(err.message).to.contain('presence_router.get_users_for_states');
  });

  it('two modules claiming one login type with different fields refuse to start', () => {
    const { registry, mod } = setup();
    const check = async () => null;
    registry.register(mod(0), 'password_auth_provider', {
      auth_checkers: { 'com.example.otp': { fields: ['otp'], check } },
    });
    const err = throws(() =>
      registry.register(mod(1), 'password_auth_provider', {
        auth_checkers: { 'com.example.otp': { fields: ['otp', 'device'], check } },
      }),
    );
    expect(err.code).to.equal(ErrorCode.CALLBACK_CONFLICT);
    expect(err.message).to.contain('"second"');
    expect(err.message).to.contain('"first"');
    expect(err.message).to.contain('com.example.otp');
  });

  it('two modules claiming one login type with the same fields may coexist', () => {
    const { registry, mod } = setup();
    const check = async () => null;
    registry.register(mod(0), 'password_auth_provider', {
      auth_checkers: { 'm.login.password': { fields: ['password'], check } },
    });
    registry.register(mod(1), 'password_auth_provider', {
      auth_checkers: { 'm.login.password': { fields: ['password'], check } },
    });
    expect(registry.entries('password_auth_provider', 'check_auth')).to.have.length(2);
  });

  it('rejects a malformed auth_checkers value with the expected shape in the message', () => {
    const { registry, mod } = setup();
    const err = throws(() =>
      registry.register(mod(0), 'password_auth_provider', {
        auth_checkers: { 'm.login.password': { fields: 'password', check: async () => null } },
      }),
    );
    expect(err.code).to.equal(ErrorCode.CALLBACK_NOT_FUNCTION);
    expect(err.message).to.contain('auth_checkers["m.login.password"].fields');
    const bound = throws(() =>
      registry.register(mod(0), 'password_auth_provider', { auth_checkers: async () => null }),
    );
    expect(bound.message).to.contain("'m.login.password': { fields: ['password'], check }");
  });
});

describe('exclusive categories', () => {
  it("a second module is warned once, naming the holder, when it repeats the holder's callbacks", () => {
    const { registry, mod, logs } = setup();
    registry.register(mod(0), 'background_update_controller', { min_batch_size: async () => 1 });
    registry.register(mod(1), 'background_update_controller', { min_batch_size: async () => 2 });
    const warnings = logs.filter((r) => r.levelName === 'warn');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ module: 'second', category: 'background_update_controller' });
  });
});
