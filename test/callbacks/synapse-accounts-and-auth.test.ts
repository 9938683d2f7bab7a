import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { HttpError, ModuleFailedError } from '../../src/callbacks/http-error.js';
import { Codes, supportedLoginTypes } from '../../src/categories/synapse/index.js';
import { failing, failureLogs, recorder, rejection, setup } from './helpers.js';

describe('account_validity', () => {
  it('is_user_expired: the first non-null verdict wins; all null means not expired', async () => {
    const { registry, mod } = setup();
    expect(await registry.run('account_validity', 'is_user_expired', '@u:x')).to.equal(false);
    const calls: string[] = [];
    registry.register(mod(0), 'account_validity', { is_user_expired: recorder(calls, 'a', null) });
    registry.register(mod(1), 'account_validity', { is_user_expired: recorder(calls, 'b', false) });
    registry.register(mod(2), 'account_validity', { is_user_expired: recorder(calls, 'c', true) });
    expect(await registry.run('account_validity', 'is_user_expired', '@u:x')).to.equal(false);
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('is_user_expired: exceptions propagate', async () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'account_validity', { is_user_expired: failing([], 'a') });
    registry.register(mod(1), 'account_validity', { is_user_expired: async () => true });
    expect(
      (await rejection(registry.run('account_validity', 'is_user_expired', '@u:x'))).message,
    ).to.equal('a broke');
  });

  it('on_user_registration and on_user_login run every module; exceptions propagate', async () => {
    for (const name of ['on_user_registration', 'on_user_login']) {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'account_validity', { [name]: recorder(calls, 'a') });
      registry.register(mod(1), 'account_validity', { [name]: recorder(calls, 'b') });
      await registry.run(hostCategory('account_validity'), name, '@u:x', 'password', null);
      expect(calls).to.deep.equal(['a', 'b']);
      registry.register(mod(2), 'account_validity', { [name]: failing(calls, 'c') });
      expect(
        await rejection(registry.run(hostCategory('account_validity'), name, '@u:x')),
      ).to.be.instanceOf(Error);
    }
  });

  it('the legacy callbacks run their single registration', async () => {
    const { registry, mod } = setup();
    registry.register(mod(0), 'account_validity', {
      on_legacy_renew: async (token: string) => [token === 't', true, 5],
    });
    expect(await registry.run('account_validity', 'on_legacy_renew', 't')).to.deep.equal([
      true,
      true,
      5,
    ]);
  });
});

describe('password_auth_provider', () => {
  describe('auth checkers (check_auth)', () => {
    it('tries the checkers of the login type in config order; the first valid result wins', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'password_auth_provider', {
        auth_checkers: {
          'm.login.password': { fields: ['password'], check: recorder(calls, 'a', null) },
        },
      });
      registry.register(mod(1), 'password_auth_provider', {
        auth_checkers: {
          'com.example.other': { fields: ['x'], check: recorder(calls, 'other', ['@x:x', null]) },
        },
      });
      registry.register(mod(2), 'password_auth_provider', {
        auth_checkers: {
          'm.login.password': {
            fields: ['password'],
            check: recorder(calls, 'b', ['@bob:x', null]),
          },
        },
      });
      registry.register(mod(3), 'password_auth_provider', {
        auth_checkers: {
          'm.login.password': {
            fields: ['password'],
            check: recorder(calls, 'c', ['@carl:x', null]),
          },
        },
      });
      const result = await registry.run(
        'password_auth_provider',
        'check_auth',
        'bob',
        'm.login.password',
        {
          password: 'pw',
        },
      );
      expect(result).to.deep.equal(['@bob:x', null]);
      expect(calls).to.deep.equal(['a', 'b']);
    });

    it('gives each checker only its registered fields', async () => {
      const { registry, mod } = setup();
      const seen: unknown[] = [];
      registry.register(mod(0), 'password_auth_provider', {
        auth_checkers: {
          'com.example.otp': {
            fields: ['otp'],
            check: async (user: string, type: string, dict: Record<string, unknown>) => {
              seen.push([user, type, dict]);
              return null;
            },
          },
        },
      });
      await registry.run('password_auth_provider', 'check_auth', 'u', 'com.example.otp', {
        otp: '123',
        password: 'secret',
        type: 'com.example.otp',
      });
      expect(seen).to.deep.equal([['u', 'com.example.otp', { otp: '123' }]]);
    });

    it('a missing field is 400 "Missing parameters" and no checker is called', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'password_auth_provider', {
        auth_checkers: {
          'com.example.otp': {
            fields: ['otp', 'device'],
            check: recorder(calls, 'a', ['@u:x', null]),
          },
        },
      });
      const err = await rejection(
        registry.run('password_auth_provider', 'check_auth', 'u', 'com.example.otp', { otp: '1' }),
      );
      expect(err).to.be.instanceOf(HttpError);
      expect(err.status).to.equal(400);
      expect(err.message).to.contain('Missing parameters');
      expect(err.message).to.contain('device');
      expect(calls).to.deep.equal([]);
    });

    it('a malformed result or an exception is a warning, and the next checker runs', async () => {
      const { registry, mod, logs } = setup();
      const calls: string[] = [];
      const entry = (check: unknown) => ({
        auth_checkers: { 'm.login.password': { fields: ['password'], check } },
      });
      registry.register(mod(0), 'password_auth_provider', entry(recorder(calls, 'a', '@u:x')));
      registry.register(mod(1), 'password_auth_provider', entry(failing(calls, 'b')));
      registry.register(
        mod(2),
        'password_auth_provider',
        entry(recorder(calls, 'c', ['@u:x', 'not a function'])),
      );
      const post = async () => {};
      registry.register(
        mod(3),
        'password_auth_provider',
        entry(recorder(calls, 'd', ['@u:x', post])),
      );
      const result = await registry.run(
        'password_auth_provider',
        'check_auth',
        'u',
        'm.login.password',
        {
          password: 'pw',
        },
      );
      expect(result).to.deep.equal(['@u:x', post]);
      expect(calls).to.deep.equal(['a', 'b', 'c', 'd']);
      const warned = logs.filter((r) => r.levelName === 'warn').map((r) => r.module);
      expect(warned).to.deep.equal(['first', 'second', 'third']);
    });

    it('fail_closed: an exception refuses the login without trying later checkers', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0, { on_error: 'fail_closed' }), 'password_auth_provider', {
        auth_checkers: { 'm.login.password': { fields: ['password'], check: failing(calls, 'a') } },
      });
      registry.register(mod(1), 'password_auth_provider', {
        auth_checkers: {
          'm.login.password': { fields: ['password'], check: recorder(calls, 'b', ['@u:x', null]) },
        },
      });
      expect(
        await registry.run('password_auth_provider', 'check_auth', 'u', 'm.login.password', {
          password: 'pw',
        }),
      ).to.equal(null);
      expect(calls).to.deep.equal(['a']);
    });

    it('an unregistered login type gives null; supportedLoginTypes lists types and fields', async () => {
      const { registry, mod } = setup();
      expect(
        await registry.run('password_auth_provider', 'check_auth', 'u', 'm.login.password', {}),
      ).to.equal(null);
      registry.register(mod(0), 'password_auth_provider', {
        auth_checkers: {
          'm.login.password': { fields: ['password'], check: async () => null },
          'com.example.otp': { fields: ['otp'], check: async () => null },
        },
      });
      expect([...supportedLoginTypes(registry)]).to.deep.equal([
        ['m.login.password', ['password']],
        ['com.example.otp', ['otp']],
      ]);
      expect(registry.has('password_auth_provider', 'auth_checkers')).to.equal(true);
      expect(registry.registrations('first')).to.deep.equal([
        { category: 'password_auth_provider', name: 'auth_checkers' },
      ]);
    });
  });

  it('check_3pid_auth: the first valid non-null result wins; exceptions are warnings', async () => {
    const { registry, mod, logs } = setup();
    const calls: string[] = [];
    registry.register(mod(0), 'password_auth_provider', { check_3pid_auth: failing(calls, 'a') });
    registry.register(mod(1), 'password_auth_provider', {
      check_3pid_auth: recorder(calls, 'b', null),
    });
    registry.register(mod(2), 'password_auth_provider', {
      check_3pid_auth: recorder(calls, 'c', ['@u:x', null]),
    });
    registry.register(mod(3), 'password_auth_provider', {
      check_3pid_auth: recorder(calls, 'd', ['@v:x', null]),
    });
    expect(
      await registry.run('password_auth_provider', 'check_3pid_auth', 'email', 'a@b', 'pw'),
    ).to.deep.equal(['@u:x', null]);
    expect(calls).to.deep.equal(['a', 'b', 'c']);
    expect(failureLogs(logs)[0]).to.include({ module: 'first', levelName: 'warn' });
  });

  it('on_logged_out: every module runs; exceptions are warnings', async () => {
    const { registry, mod } = setup();
    const calls: string[] = [];
    registry.register(mod(0), 'password_auth_provider', { on_logged_out: failing(calls, 'a') });
    registry.register(mod(1), 'password_auth_provider', { on_logged_out: recorder(calls, 'b') });
    await registry.run('password_auth_provider', 'on_logged_out', '@u:x', 'DEV', 'tok');
    expect(calls).to.deep.equal(['a', 'b']);
  });

  for (const name of ['get_username_for_registration', 'get_displayname_for_registration']) {
    it(`${name}: first string wins; non-strings are skipped with a warning; exceptions are 500`, async () => {
      const { registry, mod, logs } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'password_auth_provider', { [name]: recorder(calls, 'a', null) });
      registry.register(mod(1), 'password_auth_provider', { [name]: recorder(calls, 'b', 42) });
      registry.register(mod(2), 'password_auth_provider', {
        [name]: recorder(calls, 'c', 'alice'),
      });
      registry.register(mod(3), 'password_auth_provider', { [name]: recorder(calls, 'd', 'bob') });
      expect(await registry.run(hostCategory('password_auth_provider'), name, {}, {})).to.equal(
        'alice',
      );
      expect(calls).to.deep.equal(['a', 'b', 'c']);
      expect(logs.find((r) => r.levelName === 'warn')).to.include({ module: 'second' });

      const f = setup();
      f.registry.register(f.mod(0), 'password_auth_provider', { [name]: failing([], 'a') });
      const err = await rejection(
        f.registry.run(hostCategory('password_auth_provider'), name, {}, {}),
      );
      expect(err).to.be.instanceOf(ModuleFailedError);
      expect(err.status).to.equal(500);
    });
  }

  it('is_3pid_allowed: the first identical false denies; non-booleans are ignored; exceptions are 500', async () => {
    const { registry, mod, logs } = setup();
    const calls: string[] = [];
    registry.register(mod(0), 'password_auth_provider', {
      is_3pid_allowed: recorder(calls, 'a', true),
    });
    registry.register(mod(1), 'password_auth_provider', {
      is_3pid_allowed: recorder(calls, 'b', 'no'),
    });
    registry.register(mod(2), 'password_auth_provider', {
      is_3pid_allowed: recorder(calls, 'c', false),
    });
    registry.register(mod(3), 'password_auth_provider', {
      is_3pid_allowed: recorder(calls, 'd', true),
    });
    expect(
      await registry.run('password_auth_provider', 'is_3pid_allowed', 'email', 'a@b', true),
    ).to.equal(false);
    expect(calls).to.deep.equal(['a', 'b', 'c']);
    expect(logs.find((r) => r.levelName === 'warn')).to.include({ module: 'second' });

    const f = setup();
    expect(
      await f.registry.run('password_auth_provider', 'is_3pid_allowed', 'email', 'a@b', true),
    ).to.equal(true);
    const own = new HttpError(403, Codes.THREEPID_DENIED, 'not here');
    f.registry.register(f.mod(0), 'password_auth_provider', {
      is_3pid_allowed: failing([], 'a', own),
    });
    // As Synapse: any exception, even one carrying its own status, is a 500.
    const error = await rejection(
      f.registry.run('password_auth_provider', 'is_3pid_allowed', 'email', 'a@b', true),
    );
    expect(error).to.include({ status: 500, errcode: 'M_UNKNOWN' });
    expect(error.message).to.equal('Internal Server Error');
    expect(error.cause).to.equal(own);
  });
});
