/**
 * Every built-in callback's arguments reach modules as Synapse hands them over: copies where
 * Synapse calls `deepcopy` or `.copy()`, frozen values where its
 * types are immutable (events, state maps, attrs-frozen records), the caller's value where
 * callbacks are meant to change it. EXPECTED restates Synapse's source per callback; each
 * callback is then run through the registry with two modules that try to change what they got.
 */
import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synapseCategories } from '../../src/categories/synapse/index.js';
import type { ArgumentRule, CallbackSpec, CallContext } from '../../src/categories/types.js';
import { NOT_SPAM, RegistrationBehaviour } from '../../src/categories/synapse/constants.js';
import { freezeDeep } from '../../src/callbacks/arguments.js';
import { defineCategory, propagate, runAll } from '../../src/categories/define.js';
import { readSignatures } from '../docs/callback-reference.js';
import { setup } from './helpers.js';

const C = 'copy';
const F = 'frozen';
const S = 'shared';

/** From element-hq/synapse: module_api/callbacks/*, handlers/*, events/*, media/*. */
const EXPECTED: Record<string, readonly ArgumentRule[]> = {
  'spam_checker.check_event_for_spam': [F], // events are immutable
  'spam_checker.should_drop_federated_event': [F],
  'spam_checker.user_may_join_room': [S, S, S],
  'spam_checker.user_may_invite': [S, S, S],
  'spam_checker.federated_user_may_invite': [F],
  'spam_checker.user_may_send_3pid_invite': [S, S, S, S],
  'spam_checker.user_may_create_room': [S, C], // deepcopy(room_config)
  'spam_checker.user_may_create_room_alias': [S, S],
  'spam_checker.user_may_publish_room': [S, S],
  'spam_checker.user_may_send_state_event': [S, S, S, S, C], // deepcopy(content)
  'spam_checker.check_username_for_spam': [C, S], // user_profile.copy(): its values are strings
  'spam_checker.check_registration_for_spam': [F, S, F, S], // by reference in Synapse
  'spam_checker.check_media_file_for_spam': [S, F], // reader object; FileInfo is frozen
  'spam_checker.check_login_for_spam': [S, S, S, F, S],
  'third_party_rules.check_event_allowed': [F, F],
  'third_party_rules.on_create_room': [F, S, S], // callbacks may change the request content
  'third_party_rules.check_threepid_can_be_invited': [S, S, F],
  'third_party_rules.check_visibility_can_be_modified': [S, F, S],
  'third_party_rules.on_new_event': [F, F],
  'third_party_rules.check_can_shutdown_room': [S, S],
  'third_party_rules.check_can_deactivate_user': [S, S],
  'third_party_rules.on_profile_update': [S, F, S, S], // ProfileInfo is frozen
  'third_party_rules.on_user_deactivation_status_changed': [S, S, S],
  'third_party_rules.on_threepid_bind': [S, S, S],
  'third_party_rules.on_add_user_third_party_identifier': [S, S, S],
  'third_party_rules.on_remove_user_third_party_identifier': [S, S, S],
  'account_validity.is_user_expired': [S],
  'account_validity.on_user_registration': [S],
  'account_validity.on_user_login': [S, S, S],
  'account_validity.on_legacy_send_mail': [S],
  'account_validity.on_legacy_renew': [S],
  'account_validity.on_legacy_admin_request': [S],
  'password_auth_provider.check_3pid_auth': [S, S, S],
  'password_auth_provider.on_logged_out': [S, S, S],
  'password_auth_provider.get_username_for_registration': [C, C],
  'password_auth_provider.get_displayname_for_registration': [C, C],
  'password_auth_provider.is_3pid_allowed': [S, S, S],
  'presence_router.get_users_for_states': [F], // UserPresenceState is frozen
  'presence_router.get_interested_users': [S],
  'background_update_controller.on_update': [S, S, S],
  'background_update_controller.default_batch_size': [S, S],
  'background_update_controller.min_batch_size': [S, S],
  'account_data.on_account_data_updated': [S, S, S, C],
  'add_extra_fields_to_unsigned.add_field_to_unsigned': [F],
  'media_repository.get_media_config_for_user': [S],
  'media_repository.is_user_allowed_to_upload_media_of_size': [S, S],
  'media_repository.get_media_upload_limits_for_user': [S],
  'media_repository.on_media_upload_limit_exceeded': [S, C, S, S], // a new MediaUploadLimit
  'ratelimit.get_ratelimit_override_for_user': [S, S],
};

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const signatures = readSignatures(path.join(repoRoot, 'src/categories/synapse/signatures.ts'));

const quiet: CallContext = {
  module: 't',
  category: 't',
  callback: 't',
  data: undefined,
  warn: () => {},
};

/** A result that lets the next module run, so both modules see the arguments. */
function neutralResult(spec: CallbackSpec, name: string): unknown {
  const c = spec.combine;
  if (name === 'check_event_allowed') return [true, null];
  if (name === 'get_users_for_states') return new Map();
  if (name === 'get_interested_users') return [];
  if (c.kind === 'first-decisive' || c.kind === 'custom') {
    for (const candidate of [NOT_SPAM, RegistrationBehaviour.ALLOW, null, true, false]) {
      if (c.kind === 'custom') return NOT_SPAM;
      try {
        const normalised = c.normalise ? c.normalise(candidate, quiet) : candidate;
        if (c.isNeutral(normalised)) return candidate;
      } catch {
        // not an acceptable result for this callback
      }
    }
    throw new Error(`no neutral result for ${name}`);
  }
  return undefined;
}

/** The value passed for one parameter: an object with a nested part, or a Map of them. */
function argumentFor(param: string, index: number): any {
  const value = () => ({ nested: { index }, unsigned: {} });
  return /state_?events/i.test(param) ? new Map([['m.room.create|', value()]]) : value();
}

interface Seen {
  got: any[];
  threw: boolean[];
}

/** A callback that records its arguments and tries to change each of them. */
function meddler(seen: Seen[], result: unknown) {
  return (...got: any[]) => {
    const threw = got.map((arg) => {
      try {
        if (arg instanceof Map) arg.set('added', 1);
        else {
          arg.added = 1;
          arg.nested.changed = 1;
        }
        return false;
      } catch (error) {
        expect(error).to.be.instanceOf(TypeError);
        return true;
      }
    });
    seen.push({ got, threw });
    return result;
  };
}

describe('argument rules of the built-in callbacks', () => {
  it('restate Synapse for every callback (the expected table covers the pack)', () => {
    const actual: Record<string, readonly ArgumentRule[] | undefined> = {};
    for (const category of synapseCategories)
      for (const [name, spec] of Object.entries(category.callbacks))
        if (!spec.internal && !spec.accept) actual[`${category.name}.${name}`] = spec.args;
    expect(actual).to.deep.equal(EXPECTED);
  });

  for (const category of synapseCategories)
    for (const [name, spec] of Object.entries(category.callbacks)) {
      if (spec.internal || spec.accept) continue;
      const rules = EXPECTED[`${category.name}.${name}`]!;
      it(`${category.name}.${name}: ${rules.join(', ')}`, async () => {
        const f = setup();
        const seen: Seen[] = [];
        const result = neutralResult(spec, name);
        const single = spec.combine.kind === 'once' || category.exclusive !== undefined;
        const modules = single ? 1 : 2;
        for (let m = 0; m < modules; m++) {
          const callbacks: Record<string, unknown> = { [name]: meddler(seen, result) };
          for (const group of category.paired ?? [])
            for (const other of group)
              if (other !== name)
                callbacks[other] = other === 'get_interested_users' ? () => [] : () => new Map();
          f.registry.register(f.mod(m), category.name, callbacks);
        }
        const params = signatures.get(category.name)!.get(name)!.params;
        const args = params.map(argumentFor);
        const pristine = structuredClone(args);
        await f.registry.run(hostCategory(category.name), name, ...args);
        expect(seen).to.have.length(modules);

        rules.forEach((rule, i) => {
          const at = `${name} argument ${i} (${rule})`;
          const [first, second] = seen.map((s) => s.got[i]);
          if (rule === 'shared') {
            for (const s of seen) expect(s.got[i], at).to.equal(args[i]);
            return;
          }
          // Nothing a module did reached the caller's value.
          expect(args[i], at).to.deep.equal(pristine[i]);
          expect(Object.isFrozen(args[i]), at).to.equal(false);
          for (const s of seen) expect(s.got[i], at).to.not.equal(args[i]);
          if (rule === 'frozen') {
            for (const s of seen) expect(s.threw[i], at).to.equal(true);
            if (second !== undefined) expect(second, at).to.equal(first); // one copy per run
            return;
          }
          for (const s of seen) expect(s.threw[i], at).to.equal(false);
          if (second !== undefined) {
            expect(second, at).to.not.equal(first);
            expect(second.added, at).to.equal(1); // its own change only
          }
          expect(first.nested, at).to.not.equal(args[i].nested);
        });
      });
    }

  it('check_auth: each checker gets its own copy of the login dict', async () => {
    const f = setup();
    const seen: Record<string, any>[] = [];
    const check = (_u: string, _t: string, dict: Record<string, any>) => {
      seen.push(dict);
      dict.password.changed = true;
      return null;
    };
    for (const m of [0, 1])
      f.registry.register(f.mod(m), 'password_auth_provider', {
        auth_checkers: { 'm.login.password': { fields: ['password'], check } },
      });
    const loginDict = { password: { secret: 'x' }, extra: 1 };
    await f.registry.run(
      'password_auth_provider',
      'check_auth',
      'u',
      'm.login.password',
      loginDict,
    );
    expect(seen).to.have.length(2);
    expect(seen[0]).to.not.equal(seen[1]);
    expect(seen[1]!.password).to.deep.equal({ secret: 'x', changed: true });
    expect(loginDict).to.deep.equal({ password: { secret: 'x' }, extra: 1 });
  });

  it('a value that is already deeply frozen is passed as it is (no copy)', async () => {
    const f = setup();
    const got: unknown[] = [];
    f.registry.register(f.mod(0), 'third_party_rules', {
      on_new_event: (event: unknown) => void got.push(event),
    });
    const event = Object.freeze({ type: 't', content: Object.freeze({ body: 'x' }) });
    const hosts = freezeDeep({ type: 't', content: { body: 'y' }, list: [{ a: 1 }] });
    const partly = Object.freeze({ type: 't', content: { body: 'z' } });
    await f.registry.run('third_party_rules', 'on_new_event', event as never, undefined as never);
    await f.registry.run('third_party_rules', 'on_new_event', hosts as never, undefined as never);
    await f.registry.run('third_party_rules', 'on_new_event', partly as never, undefined as never);
    expect(got[0]).to.equal(event);
    expect(got[1]).to.equal(hosts);
    expect(Object.isFrozen(hosts.list[0])).to.equal(true);
    // Frozen on top but not below: copied, and the copy is frozen all the way down.
    expect(got[2]).to.not.equal(partly);
    expect(got[2]).to.deep.equal(partly);
    expect(Object.isFrozen((got[2] as typeof partly).content)).to.equal(true);
    expect(Object.isFrozen(partly.content)).to.equal(false);
  });

  it('frozen copies keep shared and cyclic structure, Maps and Sets read-only', async () => {
    const f = setup();
    const got: any[] = [];
    f.registry.register(f.mod(0), 'third_party_rules', {
      on_new_event: (event: unknown, state: unknown) => void got.push(event, state),
    });
    const shared = { v: 1 };
    const event: any = { a: shared, b: shared, when: new Date(0), tags: new Set(['x']) };
    event.self = event;
    const state = new Map([['k', { content: {} }]]);
    await f.registry.run('third_party_rules', 'on_new_event', event, state as never);
    const [copy, stateCopy] = got;
    expect(copy.a).to.equal(copy.b);
    expect(copy.self).to.equal(copy);
    expect(copy.when.getTime()).to.equal(0);
    expect(() => copy.tags.add('y')).to.throw(TypeError);
    expect(() => stateCopy.set('k2', {})).to.throw(TypeError);
    expect(() => stateCopy.delete('k')).to.throw(TypeError);
    expect(stateCopy.get('k')).to.deep.equal({ content: {} });
    state.set('k2', { content: {} }); // the caller's Map stays writable
  });

  it('a host-defined category states its rules the same way; a wrong rule is refused', async () => {
    const audit = defineCategory({
      name: 'audit',
      callbacks: {
        on_export: { combine: runAll(), onError: propagate(), args: ['frozen', 'copy', 'shared'] },
      },
    });
    const f = setup({ categories: [audit] });
    const seen: unknown[][] = [];
    f.registry.register(f.mod(0), 'audit', { on_export: (...a: unknown[]) => void seen.push(a) });
    const args = [{ a: 1 }, { b: [1] }, { c: 1 }];
    await f.registry.run(audit.name, 'on_export', ...args);
    expect(Object.isFrozen(seen[0]![0])).to.equal(true);
    expect(seen[0]![1]).to.deep.equal(args[1]);
    expect(seen[0]![1]).to.not.equal(args[1]);
    expect(seen[0]![2]).to.equal(args[2]);
    expect(() =>
      defineCategory({
        name: 'bad',
        callbacks: { x: { combine: runAll(), onError: propagate(), args: ['deep' as never] } },
      }),
    )
      .to.throw(/callbacks\.x\.args\[0\] must be one of shared, copy, frozen, got "deep"/)
      .with.property('code', 'MODHOST_CATEGORY_INVALID');
  });

  it('copies keep class instances (their methods) and Dates; a frozen Date cannot be set', async () => {
    class Requester {
      constructor(readonly userId: string) {}
      name(): string {
        return this.userId;
      }
    }
    const f = setup();
    const got: any[] = [];
    f.registry.register(f.mod(0), 'third_party_rules', {
      on_create_room: (requester: unknown, content: unknown) => void got.push(requester, content),
    });
    const requester = new Requester('@a:x');
    const content = { when: new Date(5) };
    await f.registry.run('third_party_rules', 'on_create_room', requester, content, false);
    expect(got[0]).to.be.instanceOf(Requester).and.not.equal(requester);
    expect(got[0].name()).to.equal('@a:x');
    expect(got[1]).to.equal(content); // shared: callbacks may change the request content
    const frozenDate = freezeDeep({ when: new Date(5) }).when;
    expect(() => frozenDate.setTime(0)).to.throw(TypeError);
    expect(frozenDate.getTime()).to.equal(5);
  });

  it('nothing is copied when no module registered the callback', async () => {
    const f = setup();
    const content = {
      get nested(): never {
        throw new Error('read');
      },
    };
    await f.registry.run('spam_checker', 'check_event_for_spam', content as never);
  });
});
