import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { PRESENCE_ALL_USERS } from '../../src/categories/synapse/index.js';
import { failing, failureLogs, recorder, rejection, setup } from './helpers.js';

describe('presence_router', () => {
  function withBoth(
    f: ReturnType<typeof setup>,
    index: number,
    users: unknown,
    interested: unknown,
  ) {
    f.registry.register(f.mod(index), 'presence_router', {
      get_users_for_states: typeof users === 'function' ? users : async () => users,
      get_interested_users: typeof interested === 'function' ? interested : async () => interested,
    });
  }

  it('get_users_for_states: unions the sets per user; nothing registered gives an empty map', async () => {
    const f = setup();
    expect(await f.registry.run('presence_router', 'get_users_for_states', [])).to.deep.equal(
      new Map(),
    );
    const s1 = { user_id: '@a:x', state: 'online' };
    const s2 = { user_id: '@b:x', state: 'offline' };
    withBoth(f, 0, new Map([['@u:x', new Set([s1])]]), new Set());
    withBoth(f, 1, { '@u:x': new Set([s2]), '@v:x': [s1] }, new Set());
    f.registry.seal();
    const result = (await f.registry.run('presence_router', 'get_users_for_states', [
      s1,
      s2,
    ])) as Map<string, Set<unknown>>;
    expect([...result.keys()]).to.deep.equal(['@u:x', '@v:x']);
    expect([...result.get('@u:x')!]).to.deep.equal([s1, s2]);
    expect([...result.get('@v:x')!]).to.deep.equal([s1]);
  });

  it('get_users_for_states: a throwing or wrongly typed result is a warning and skipped', async () => {
    const f = setup();
    withBoth(f, 0, failing([], 'a'), new Set());
    withBoth(f, 1, 'nonsense', new Set());
    withBoth(f, 2, new Map([['@u:x', new Set(['s'])]]), new Set());
    const result = (await f.registry.run('presence_router', 'get_users_for_states', [])) as Map<
      string,
      Set<unknown>
    >;
    expect([...result.entries()].map(([k, v]) => [k, [...v]])).to.deep.equal([['@u:x', ['s']]]);
    expect(f.logs.filter((r) => r.levelName === 'warn').map((r) => r.module)).to.deep.equal([
      'first',
      'second',
    ]);
  });

  it('get_interested_users: unions the sets; the first ALL returns at once', async () => {
    const f = setup();
    const calls: string[] = [];
    withBoth(f, 0, new Map(), recorder(calls, 'a', new Set(['@a:x'])));
    withBoth(f, 1, new Map(), recorder(calls, 'b', ['@b:x', '@a:x']));
    const result = await f.registry.run('presence_router', 'get_interested_users', '@u:x');
    expect([...(result as Set<string>)]).to.deep.equal(['@a:x', '@b:x']);
    withBoth(f, 2, new Map(), recorder(calls, 'c', PRESENCE_ALL_USERS));
    withBoth(f, 3, new Map(), recorder(calls, 'd', new Set(['@d:x'])));
    calls.length = 0;
    expect(await f.registry.run('presence_router', 'get_interested_users', '@u:x')).to.equal(
      PRESENCE_ALL_USERS,
    );
    expect(calls).to.deep.equal(['a', 'b', 'c']);
  });

  it('get_interested_users: throwing or wrong-typed results are skipped with a warning', async () => {
    const f = setup();
    withBoth(f, 0, new Map(), failing([], 'a'));
    withBoth(f, 1, new Map(), 42);
    withBoth(f, 2, new Map(), new Set(['@c:x']));
    expect([
      ...((await f.registry.run('presence_router', 'get_interested_users', '@u:x')) as Set<string>),
    ]).to.deep.equal(['@c:x']);
    expect(failureLogs(f.logs).map((r) => r.module)).to.deep.equal(['first']);
  });
});

describe('background_update_controller', () => {
  it('on_update is synchronous and hands back the context manager; exceptions propagate', async () => {
    const f = setup();
    const context = { enter: async () => 100, exit: async () => {} };
    f.registry.register(f.mod(0), 'background_update_controller', {
      on_update: (name: string, db: string, oneShot: boolean) =>
        name === 'u' && db === 'main' && !oneShot ? context : null,
      default_batch_size: failing([], 'a'),
    });
    expect(
      await f.registry.run('background_update_controller', 'on_update', 'u', 'main', false),
    ).to.equal(context);
    expect(
      (
        await rejection(
          f.registry.run('background_update_controller', 'default_batch_size', 'u', 'main'),
        )
      ).message,
    ).to.equal('a broke');
    expect(
      await f.registry.run('background_update_controller', 'min_batch_size', 'u', 'main'),
    ).to.equal(undefined);
  });
});

describe('account_data', () => {
  it('on_account_data_updated: every module runs; exceptions are logged and ignored', async () => {
    const f = setup();
    const calls: string[] = [];
    f.registry.register(f.mod(0), 'account_data', { on_account_data_updated: failing(calls, 'a') });
    f.registry.register(f.mod(1), 'account_data', {
      on_account_data_updated: recorder(calls, 'b'),
    });
    await f.registry.run(
      'account_data',
      'on_account_data_updated',
      '@u:x',
      null,
      'm.push_rules',
      {},
    );
    expect(calls).to.deep.equal(['a', 'b']);
    expect(failureLogs(f.logs)[0]).to.include({ module: 'first', category: 'account_data' });
  });
});

describe('add_extra_fields_to_unsigned', () => {
  it('merges in order (last wins) and never overwrites keys the event already has', async () => {
    const f = setup();
    f.registry.register(f.mod(0), 'add_extra_fields_to_unsigned', {
      add_field_to_unsigned: async () => ({ a: 1, b: 1, age: 'module' }),
    });
    f.registry.register(f.mod(1), 'add_extra_fields_to_unsigned', {
      add_field_to_unsigned: async () => ({ b: 2, c: 2 }),
    });
    const event = { type: 't', sender: 's', room_id: 'r', content: {}, unsigned: { age: 5 } };
    expect(
      await f.registry.run('add_extra_fields_to_unsigned', 'add_field_to_unsigned', event),
    ).to.deep.equal({
      a: 1,
      b: 2,
      c: 2,
    });
    expect(event.unsigned).to.deep.equal({ age: 5 });
  });

  it('nothing registered gives {}; exceptions propagate', async () => {
    const f = setup();
    expect(
      await f.registry.run(
        hostCategory('add_extra_fields_to_unsigned'),
        'add_field_to_unsigned',
        {},
      ),
    ).to.deep.equal({});
    f.registry.register(f.mod(0), 'add_extra_fields_to_unsigned', {
      add_field_to_unsigned: failing([], 'a'),
    });
    expect(
      await rejection(
        f.registry.run(hostCategory('add_extra_fields_to_unsigned'), 'add_field_to_unsigned', {}),
      ),
    ).to.be.instanceOf(Error);
  });
});

describe('media_repository', () => {
  it('get_media_config_for_user: the first truthy result wins', async () => {
    const f = setup();
    const calls: string[] = [];
    f.registry.register(f.mod(0), 'media_repository', {
      get_media_config_for_user: recorder(calls, 'a', null),
    });
    f.registry.register(f.mod(1), 'media_repository', {
      get_media_config_for_user: recorder(calls, 'b', { max: 1 }),
    });
    f.registry.register(f.mod(2), 'media_repository', {
      get_media_config_for_user: recorder(calls, 'c', { max: 2 }),
    });
    expect(
      await f.registry.run('media_repository', 'get_media_config_for_user', '@u:x'),
    ).to.deep.equal({ max: 1 });
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('get_media_config_for_user: results falsy in Python ({}, [], "", 0, false, null) continue', async () => {
    const f = setup();
    const calls: string[] = [];
    const falsy = [{}, [], '', 0, false, null, undefined];
    falsy.forEach((result, i) =>
      f.registry.register(f.mod(0, { name: `m${i}`, index: i }), 'media_repository', {
        get_media_config_for_user: recorder(calls, `m${i}`, result),
      }),
    );
    expect(await f.registry.run('media_repository', 'get_media_config_for_user', '@u:x')).to.equal(
      null,
    );
    expect(calls).to.deep.equal(falsy.map((_, i) => `m${i}`));

    f.registry.register(f.mod(0, { name: 'decides', index: 7 }), 'media_repository', {
      get_media_config_for_user: recorder(calls, 'decides', { 'm.upload.size': 0 }),
    });
    f.registry.register(f.mod(0, { name: 'later', index: 8 }), 'media_repository', {
      get_media_config_for_user: recorder(calls, 'later', { 'm.upload.size': 9 }),
    });
    calls.length = 0;
    expect(
      await f.registry.run('media_repository', 'get_media_config_for_user', '@u:x'),
    ).to.deep.equal({ 'm.upload.size': 0 });
    expect(calls).to.deep.equal([...falsy.map((_, i) => `m${i}`), 'decides']);
  });

  it('is_user_allowed_to_upload_media_of_size: the first falsy result is returned; otherwise true', async () => {
    const f = setup();
    expect(
      await f.registry.run(
        'media_repository',
        'is_user_allowed_to_upload_media_of_size',
        '@u:x',
        5,
      ),
    ).to.equal(true);
    const calls: string[] = [];
    f.registry.register(f.mod(0), 'media_repository', {
      is_user_allowed_to_upload_media_of_size: recorder(calls, 'a', true),
    });
    f.registry.register(f.mod(1), 'media_repository', {
      is_user_allowed_to_upload_media_of_size: recorder(calls, 'b', false),
    });
    f.registry.register(f.mod(2), 'media_repository', {
      is_user_allowed_to_upload_media_of_size: recorder(calls, 'c', true),
    });
    expect(
      await f.registry.run(
        'media_repository',
        'is_user_allowed_to_upload_media_of_size',
        '@u:x',
        5,
      ),
    ).to.equal(false);
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('get_media_upload_limits_for_user: the first non-null result wins, even an empty list', async () => {
    const f = setup();
    f.registry.register(f.mod(0), 'media_repository', {
      get_media_upload_limits_for_user: async () => null,
    });
    f.registry.register(f.mod(1), 'media_repository', {
      get_media_upload_limits_for_user: async () => [],
    });
    f.registry.register(f.mod(2), 'media_repository', {
      get_media_upload_limits_for_user: async () => [{ a: 1 }],
    });
    expect(
      await f.registry.run('media_repository', 'get_media_upload_limits_for_user', '@u:x'),
    ).to.deep.equal([]);
  });

  it('get_media_upload_limits_for_user: the limits come back longest period first, as Synapse sorts them', async () => {
    const f = setup();
    const day = { time_period_ms: 86_400_000, max_bytes: 100 };
    const hour = { time_period_ms: 3_600_000, max_bytes: 10 };
    const week = { time_period_ms: 604_800_000, max_bytes: 500 };
    const hourToo = { time_period_ms: 3_600_000, max_bytes: 20 };
    const own = [hour, week, hourToo, day];
    f.registry.register(f.mod(0), 'media_repository', {
      get_media_upload_limits_for_user: async () => own,
    });
    const limits = await f.registry.run(
      'media_repository',
      'get_media_upload_limits_for_user',
      '@u:x',
    );
    expect(limits).to.deep.equal([week, day, hour, hourToo]); // stable for equal periods
    expect(own).to.deep.equal([hour, week, hourToo, day]); // the module's list is untouched
  });

  it('on_media_upload_limit_exceeded: every module runs with its own copy of the limit', async () => {
    const f = setup();
    const seen: unknown[] = [];
    const mutate = async (_u: string, limit: any) => {
      seen.push(structuredClone(limit));
      limit.max_bytes = 0;
    };
    f.registry.register(f.mod(0), 'media_repository', { on_media_upload_limit_exceeded: mutate });
    f.registry.register(f.mod(1), 'media_repository', { on_media_upload_limit_exceeded: mutate });
    const limit = { time_period_ms: 1000, max_bytes: 10 };
    await f.registry.run(
      'media_repository',
      'on_media_upload_limit_exceeded',
      '@u:x',
      limit,
      5,
      20,
    );
    expect(seen).to.deep.equal([limit, limit]);
    expect(limit.max_bytes).to.equal(10);
  });

  it('exceptions propagate', async () => {
    const f = setup();
    f.registry.register(f.mod(0), 'media_repository', {
      get_media_upload_limits_for_user: failing([], 'a'),
    });
    expect(
      (
        await rejection(
          f.registry.run('media_repository', 'get_media_upload_limits_for_user', '@u:x'),
        )
      ).message,
    ).to.equal('a broke');
  });
});

describe('ratelimit', () => {
  it('get_ratelimit_override_for_user: the first non-null wins; exceptions propagate', async () => {
    const f = setup();
    expect(
      await f.registry.run('ratelimit', 'get_ratelimit_override_for_user', '@u:x', 'rc_message'),
    ).to.equal(null);
    const calls: string[] = [];
    const override = { per_second: 1, burst_count: 2 };
    f.registry.register(f.mod(0), 'ratelimit', {
      get_ratelimit_override_for_user: recorder(calls, 'a', null),
    });
    f.registry.register(f.mod(1), 'ratelimit', {
      get_ratelimit_override_for_user: recorder(calls, 'b', override),
    });
    f.registry.register(f.mod(2), 'ratelimit', {
      get_ratelimit_override_for_user: failing(calls, 'c'),
    });
    expect(
      await f.registry.run('ratelimit', 'get_ratelimit_override_for_user', '@u:x', 'rc_message'),
    ).to.equal(override);
    expect(calls).to.deep.equal(['a', 'b']);
  });
});
