/**
 * Through a real test host: the Synapse-named helpers on ModuleApi, decorated and imperative
 * registrations side by side, and a host-defined category used exactly as the built-in ones.
 */
import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { Callback, Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import {
  defineCategory,
  firstDecisive,
  ignoreAndLog,
  runAll,
  wrapAsModuleFailure,
} from '../../src/categories/define.js';
import { Codes, NOT_SPAM, supportedLoginTypes } from '../../src/categories/synapse/index.js';
import { createTestHost } from '../../src/testing/index.js';

@Module({ name: 'ported' })
class PortedFromSynapse {
  seen: string[] = [];
  constructor(readonly api: ModuleApi) {
    // As in Python: api.register_spam_checker_callbacks(user_may_invite=self.user_may_invite)
    api.registerSpamCheckerCallbacks({ user_may_invite: (inviter) => this.userMayInvite(inviter) });
    api.registerThirdPartyRulesCallbacks({
      on_new_event: async (e) => void this.seen.push(e.type),
    });
    api.registerPasswordAuthProviderCallbacks({
      auth_checkers: {
        'com.example.token': {
          fields: ['token'],
          check: async (username, _type, dict) =>
            dict.token === 'ok' ? [`@${username}:x`, null] : null,
        },
      },
    });
    api.registerAccountValidityCallbacks({ is_user_expired: async () => null });
    api.registerPresenceRouterCallbacks({
      get_users_for_states: async () => new Map(),
      get_interested_users: async () => new Set(['@a:x']),
    });
    api.registerBackgroundUpdateControllerCallbacks({ min_batch_size: async () => 7 });
    api.registerAccountDataCallbacks({ on_account_data_updated: async () => {} });
    api.registerAddExtraFieldsToUnsignedCallbacks({
      add_field_to_unsigned: async () => ({ x: 1 }),
    });
    api.registerMediaRepositoryCallbacks({ get_media_config_for_user: async () => null });
    api.registerRatelimitCallbacks({ get_ratelimit_override_for_user: async () => null });
  }

  async userMayInvite(inviter: string) {
    return inviter === '@spammer:x' ? Codes.FORBIDDEN : NOT_SPAM;
  }

  @Callback('spam_checker', 'check_event_for_spam')
  async checkEvent(event: { content: { body?: string } }) {
    return event.content.body === 'spam' ? true : NOT_SPAM;
  }
}

// A host-defined category, with the public API the built-in pack uses.
const audit = defineCategory({
  name: 'audit',
  callbacks: {
    may_export: {
      combine: firstDecisive({ isNeutral: (r) => r === 'allow', fallback: () => 'allow' }),
      onError: wrapAsModuleFailure(),
      decision: { deny: () => 'deny' },
    },
    on_exported: { combine: runAll(), onError: ignoreAndLog() },
  },
});

@Module({ name: 'auditor' })
class Auditor {
  constructor(api: ModuleApi) {
    api.registerCallbacks(audit.name, { on_exported: async () => {} });
  }

  @Callback(audit.name, 'may_export')
  async mayExport(userId: string) {
    if (userId === '@broken:x') throw new Error('directory down');
    return userId.endsWith(':x') ? 'allow' : 'deny';
  }
}

describe('ModuleApi registration helpers and host-defined categories', () => {
  it('the Synapse-named helpers register into their categories', async () => {
    const host = await createTestHost({ modules: [{ module: PortedFromSynapse, config: {} }] });
    const cb = host.callbacks;
    expect(
      await cb.run('spam_checker', 'user_may_invite', '@spammer:x', '@b:x', '!r:x'),
    ).to.deep.equal([Codes.FORBIDDEN, {}]);
    expect(
      await cb.run(hostCategory('spam_checker'), 'check_event_for_spam', {
        content: { body: 'spam' },
      }),
    ).to.deep.equal([Codes.FORBIDDEN, {}]);
    await cb.run(
      hostCategory('third_party_rules'),
      'on_new_event',
      { type: 'm.room.message' },
      new Map(),
    );
    expect(host.module(PortedFromSynapse).seen).to.deep.equal(['m.room.message']);
    expect(
      await cb.run('password_auth_provider', 'check_auth', 'bob', 'com.example.token', {
        token: 'ok',
      }),
    ).to.deep.equal(['@bob:x', null]);
    expect([...supportedLoginTypes(cb)]).to.deep.equal([['com.example.token', ['token']]]);
    expect(await cb.run('background_update_controller', 'min_batch_size', 'u', 'db')).to.equal(7);
    expect(
      await cb.run(hostCategory('add_extra_fields_to_unsigned'), 'add_field_to_unsigned', {}),
    ).to.deep.equal({ x: 1 });
    const names = host.inspect().modules[0]!.callbacks.map((c) => `${c.category}.${c.name}`);
    expect(names).to.include.members([
      'spam_checker.user_may_invite',
      'spam_checker.check_event_for_spam',
      'password_auth_provider.auth_checkers',
      'presence_router.get_users_for_states',
      'presence_router.get_interested_users',
      'ratelimit.get_ratelimit_override_for_user',
    ]);
    await host.stop();
  });

  it('a host-defined category works with @Callback, registerCallbacks, on_error and has()', async () => {
    const host = await createTestHost({
      modules: [{ module: Auditor, config: {}, on_error: 'fail_closed' }],
      categories: [audit],
    });
    expect(host.callbacks.has('audit', 'may_export')).to.equal(true);
    expect(host.callbacks.has('audit', 'on_exported')).to.equal(true);
    expect(await host.callbacks.run(audit.name, 'may_export', '@a:x')).to.equal('allow');
    expect(await host.callbacks.run(audit.name, 'may_export', '@a:y')).to.equal('deny');
    // fail_closed: the exception denies instead of failing the operation with a 500.
    expect(await host.callbacks.run(audit.name, 'may_export', '@broken:x')).to.equal('deny');
    const failure = host.logs.find((r) => r.category === 'audit' && r.callback === 'may_export');
    expect(failure).to.include({ module: 'auditor', outcome: 'denied (on_error: fail_closed)' });
    await host.stop();
  });
});
