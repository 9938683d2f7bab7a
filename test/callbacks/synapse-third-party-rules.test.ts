import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { HttpError, ModuleFailedError } from '../../src/callbacks/http-error.js';
import { Codes } from '../../src/categories/synapse/index.js';
import { failing, failureLogs, recorder, rejection, setup } from './helpers.js';

const event = { type: 'm.room.message', sender: '@a:x', room_id: '!r:x', content: { body: 'hi' } };
const state = new Map();

describe('third_party_rules', () => {
  describe('check_event_allowed', () => {
    it('the first false denies with no replacement and stops the chain', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'third_party_rules', {
        check_event_allowed: recorder(calls, 'a', [true, null]),
      });
      registry.register(mod(1), 'third_party_rules', {
        check_event_allowed: recorder(calls, 'b', [false, { x: 1 }]),
      });
      registry.register(mod(2), 'third_party_rules', {
        check_event_allowed: recorder(calls, 'c', [true, null]),
      });
      expect(
        await registry.run('third_party_rules', 'check_event_allowed', event, state),
      ).to.deep.equal([false, null]);
      expect(calls).to.deep.equal(['a', 'b']);
    });

    it('the first replacement dict wins', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      const replacement = { ...event, content: { body: 'edited' } };
      registry.register(mod(0), 'third_party_rules', {
        check_event_allowed: recorder(calls, 'a', [true, replacement]),
      });
      registry.register(mod(1), 'third_party_rules', {
        check_event_allowed: recorder(calls, 'b', [false, null]),
      });
      expect(
        await registry.run('third_party_rules', 'check_event_allowed', event, state),
      ).to.deep.equal([true, replacement]);
      expect(calls).to.deep.equal(['a']);
    });

    it('all allowing gives [true, null]; legacy bare booleans are understood', async () => {
      const { registry, mod } = setup();
      expect(
        await registry.run('third_party_rules', 'check_event_allowed', event, state),
      ).to.deep.equal([true, null]);
      registry.register(mod(0), 'third_party_rules', { check_event_allowed: async () => true });
      registry.register(mod(1), 'third_party_rules', {
        check_event_allowed: async () => [true, null],
      });
      expect(
        await registry.run('third_party_rules', 'check_event_allowed', event, state),
      ).to.deep.equal([true, null]);
      registry.register(mod(2), 'third_party_rules', { check_event_allowed: async () => false });
      expect(
        await registry.run('third_party_rules', 'check_event_allowed', event, state),
      ).to.deep.equal([false, null]);
    });

    it('an error carrying an HTTP status is re-thrown as it is; any other becomes a 500 module failure', async () => {
      const f = setup();
      const calls: string[] = [];
      const status = new HttpError(403, Codes.FORBIDDEN, 'nope');
      f.registry.register(f.mod(0), 'third_party_rules', {
        check_event_allowed: failing(calls, 'a', status),
      });
      f.registry.register(f.mod(1), 'third_party_rules', {
        check_event_allowed: recorder(calls, 'b', [true, null]),
      });
      expect(
        await rejection(f.registry.run('third_party_rules', 'check_event_allowed', event, state)),
      ).to.equal(status);
      expect(calls).to.deep.equal(['a']);

      const g = setup();
      g.registry.register(g.mod(0), 'third_party_rules', { check_event_allowed: failing([], 'a') });
      const err = await rejection(
        g.registry.run('third_party_rules', 'check_event_allowed', event, state),
      );
      expect(err).to.be.instanceOf(ModuleFailedError);
      expect(err).to.include({ status: 500, module: 'first', callback: 'check_event_allowed' });
      expect(err.message).to.equal('Failed to run `check_event_allowed` module API callback');
    });

    it('fail_closed denies the event when the module throws', async () => {
      const { registry, mod } = setup();
      registry.register(mod(0, { on_error: 'fail_closed' }), 'third_party_rules', {
        check_event_allowed: failing([], 'a'),
      });
      expect(
        await registry.run('third_party_rules', 'check_event_allowed', event, state),
      ).to.deep.equal([false, null]);
    });
  });

  describe('on_create_room', () => {
    it('runs every callback in order on the same request content: later ones see mutations', async () => {
      const { registry, mod } = setup();
      const seen: unknown[] = [];
      registry.register(mod(0), 'third_party_rules', {
        on_create_room: async (_req: unknown, content: any) => {
          content.name = 'renamed';
        },
      });
      registry.register(mod(1), 'third_party_rules', {
        on_create_room: async (_req: unknown, content: any) => {
          seen.push(content.name);
        },
      });
      const content = { name: 'original' };
      expect(
        await registry.run('third_party_rules', 'on_create_room', {}, content, false),
      ).to.equal(undefined);
      expect(seen).to.deep.equal(['renamed']);
      expect(content.name).to.equal('renamed');
    });

    it('an exception stops the chain and becomes 403 "Room creation forbidden with these parameters"', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'third_party_rules', { on_create_room: failing(calls, 'a') });
      registry.register(mod(1), 'third_party_rules', { on_create_room: recorder(calls, 'b') });
      const err = await rejection(
        registry.run('third_party_rules', 'on_create_room', {}, {}, false),
      );
      expect(err).to.include({ status: 403, errcode: Codes.FORBIDDEN });
      expect(err.message).to.equal('Room creation forbidden with these parameters');
      expect(calls).to.deep.equal(['a']);
    });

    it('an exception with its own status keeps it', async () => {
      const { registry, mod } = setup();
      const own = new HttpError(400, Codes.INVALID_PARAM, 'bad preset');
      registry.register(mod(0), 'third_party_rules', { on_create_room: failing([], 'a', own) });
      expect(
        await rejection(registry.run('third_party_rules', 'on_create_room', {}, {}, false)),
      ).to.equal(own);
    });
  });

  describe('boolean checks: only an identical false denies; exceptions allow', () => {
    for (const name of [
      'check_threepid_can_be_invited',
      'check_visibility_can_be_modified',
      'check_can_shutdown_room',
      'check_can_deactivate_user',
    ]) {
      it(name, async () => {
        const { registry, mod, logs } = setup();
        const calls: string[] = [];
        registry.register(mod(0), 'third_party_rules', { [name]: recorder(calls, 'a', 0) });
        registry.register(mod(1), 'third_party_rules', { [name]: failing(calls, 'b') });
        registry.register(mod(2), 'third_party_rules', { [name]: recorder(calls, 'c', null) });
        registry.register(mod(3), 'third_party_rules', { [name]: recorder(calls, 'd', '') });
        expect(await registry.run(hostCategory('third_party_rules'), name, 'a', 'b', 'c')).to.equal(
          true,
        );
        expect(calls).to.deep.equal(['a', 'b', 'c', 'd']);
        expect(failureLogs(logs)).to.have.length(1);
        expect(failureLogs(logs)[0]).to.include({
          module: 'second',
          callback: name,
          levelName: 'warn',
        });

        const f = setup();
        const seen: string[] = [];
        f.registry.register(f.mod(0), 'third_party_rules', { [name]: recorder(seen, 'a', false) });
        f.registry.register(f.mod(1), 'third_party_rules', { [name]: recorder(seen, 'b', true) });
        expect(
          await f.registry.run(hostCategory('third_party_rules'), name, 'a', 'b', 'c'),
        ).to.equal(false);
        expect(seen).to.deep.equal(['a']);
      });
    }

    it('fail_closed makes an exception deny', async () => {
      const { registry, mod } = setup();
      registry.register(mod(0, { on_error: 'fail_closed' }), 'third_party_rules', {
        check_can_shutdown_room: failing([], 'a'),
      });
      expect(
        await registry.run('third_party_rules', 'check_can_shutdown_room', '@u:x', '!r:x'),
      ).to.equal(false);
    });
  });

  describe('notifications: every callback runs; exceptions are logged', () => {
    for (const name of [
      'on_new_event',
      'on_profile_update',
      'on_user_deactivation_status_changed',
      'on_threepid_bind',
      'on_add_user_third_party_identifier',
      'on_remove_user_third_party_identifier',
    ]) {
      it(name, async () => {
        const { registry, mod, logs } = setup();
        const calls: string[] = [];
        registry.register(mod(0), 'third_party_rules', { [name]: failing(calls, 'a') });
        registry.register(mod(1), 'third_party_rules', { [name]: recorder(calls, 'b') });
        expect(
          await registry.run(hostCategory('third_party_rules'), name, '@u:x', 'email', 'a@b'),
        ).to.equal(undefined);
        expect(calls).to.deep.equal(['a', 'b']);
        expect(failureLogs(logs)[0]).to.include({
          module: 'first',
          category: 'third_party_rules',
          callback: name,
        });
      });
    }
  });
});
