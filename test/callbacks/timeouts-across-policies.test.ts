/** Timeouts under every combination policy of the Synapse pack, and what happens afterwards. */
import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { failureLogs, hanging, recorder, setup } from './helpers.js';

describe('callback_timeout across policies', () => {
  it('ALL (on_new_event): a hanging module is logged and the next one still runs', async () => {
    const f = setup({ callbackTimeout: 20 });
    const calls: string[] = [];
    f.registry.register(f.mod(0), 'third_party_rules', { on_new_event: hanging(calls, 'a') });
    f.registry.register(f.mod(1), 'third_party_rules', { on_new_event: recorder(calls, 'b') });
    await f.registry.run(hostCategory('third_party_rules'), 'on_new_event', {}, new Map());
    expect(calls).to.deep.equal(['a', 'b']);
    expect(failureLogs(f.logs)[0]).to.include({ module: 'first', callback: 'on_new_event' });
  });

  it('MERGE (get_interested_users): a hanging module is skipped', async () => {
    const f = setup({ callbackTimeout: 20 });
    const both = (interested: unknown) => ({
      get_users_for_states: async () => new Map(),
      get_interested_users: interested,
    });
    f.registry.register(f.mod(0), 'presence_router', both(hanging([], 'a')));
    f.registry.register(
      f.mod(1),
      'presence_router',
      both(async () => new Set(['@b:x'])),
    );
    const users = await f.registry.run('presence_router', 'get_interested_users', '@u:x');
    expect([...(users as Set<string>)]).to.deep.equal(['@b:x']);
  });

  it('custom (auth checkers): a hanging checker is skipped and the next one logs the user in', async () => {
    const f = setup({ callbackTimeout: 20 });
    const checker = (check: unknown) => ({
      auth_checkers: { 'm.login.password': { fields: ['password'], check } },
    });
    f.registry.register(f.mod(0), 'password_auth_provider', checker(hanging([], 'a')));
    f.registry.register(
      f.mod(1),
      'password_auth_provider',
      checker(async () => ['@u:x', null]),
    );
    expect(
      await f.registry.run('password_auth_provider', 'check_auth', 'u', 'm.login.password', {
        password: 'p',
      }),
    ).to.deep.equal(['@u:x', null]);
  });

  it('custom (check_event_allowed): a timeout under the wrap policy is a 500 module failure', async () => {
    const f = setup({ callbackTimeout: 20 });
    f.registry.register(f.mod(0), 'third_party_rules', { check_event_allowed: hanging([], 'a') });
    const err = await f.registry
      .run(hostCategory('third_party_rules'), 'check_event_allowed', {}, new Map())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.include({ status: 500, module: 'first' });
    expect((err as { cause: { code: string } }).cause.code).to.equal('MODHOST_CALLBACK_TIMEOUT');
  });

  it('a timed-out callback that rejects later causes no unhandled rejection', async () => {
    const f = setup({ callbackTimeout: 10 });
    let rejectLate: (e: Error) => void = () => {};
    f.registry.register(f.mod(0), 'third_party_rules', {
      on_new_event: () => new Promise((_, reject) => (rejectLate = reject)),
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await f.registry.run(hostCategory('third_party_rules'), 'on_new_event', {}, new Map());
      rejectLate(new Error('too late'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).to.deep.equal([]);
  });

  it('with timeouts on, results combine exactly as without (decisive result, fallback, bad result)', async () => {
    const f = setup({ callbackTimeout: 1000 });
    const calls: string[] = [];
    f.registry.register(f.mod(0), 'spam_checker', { user_may_invite: recorder(calls, 'a', true) });
    f.registry.register(f.mod(1), 'spam_checker', {
      user_may_invite: recorder(calls, 'b', 'M_LIMIT_EXCEEDED'),
    });
    f.registry.register(f.mod(2), 'spam_checker', { user_may_invite: recorder(calls, 'c', false) });
    expect(await f.registry.run('spam_checker', 'user_may_invite', 'a', 'b', 'r')).to.deep.equal([
      'M_LIMIT_EXCEEDED',
      {},
    ]);
    expect(calls).to.deep.equal(['a', 'b']);
    expect(await f.registry.run('ratelimit', 'get_ratelimit_override_for_user', 'u', 'l')).to.equal(
      null,
    );
    f.registry.register(f.mod(0), 'spam_checker', {
      check_registration_for_spam: async () => 'maybe',
    });
    const err = await f.registry
      .run('spam_checker', 'check_registration_for_spam', null, 'u', [], null)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.include({ code: 'MODHOST_CALLBACK_BAD_RESULT' });
  });

  it('after a timeout the run goes on from the next module, and a late answer is ignored', async () => {
    const f = setup({ callbackTimeout: 20 });
    let answerLate: (v: unknown) => void = () => {};
    const calls: string[] = [];
    f.registry.register(f.mod(0), 'spam_checker', {
      user_may_join_room: () => {
        calls.push('a');
        return new Promise((resolve) => (answerLate = resolve));
      },
    });
    f.registry.register(f.mod(1), 'spam_checker', {
      user_may_join_room: recorder(calls, 'b', true),
    });
    f.registry.register(f.mod(2), 'spam_checker', {
      user_may_join_room: recorder(calls, 'c', false),
    });
    // user_may_join_room propagates exceptions: a timeout fails the run.
    const err = await f.registry.run('spam_checker', 'user_may_join_room', 'u', 'r', false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.include({ code: 'MODHOST_CALLBACK_TIMEOUT' });
    answerLate(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).to.deep.equal(['a']);

    const g = setup({ callbackTimeout: 20 });
    const seen: string[] = [];
    g.registry.register(g.mod(0, { on_error: 'fail_open' }), 'spam_checker', {
      user_may_join_room: () => {
        seen.push('a');
        return new Promise((resolve) => (answerLate = resolve));
      },
    });
    g.registry.register(g.mod(1), 'spam_checker', {
      user_may_join_room: recorder(seen, 'b', true),
    });
    g.registry.register(g.mod(2), 'spam_checker', {
      user_may_join_room: recorder(seen, 'c', false),
    });
    expect(
      await g.registry.run('spam_checker', 'user_may_join_room', 'u', 'r', false),
    ).to.deep.equal(['M_FORBIDDEN', {}]);
    answerLate(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).to.deep.equal(['a', 'b', 'c']);
  });
});
