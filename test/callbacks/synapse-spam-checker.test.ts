import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { Codes, NOT_SPAM, RegistrationBehaviour } from '../../src/categories/synapse/index.js';
import { ErrorCode } from '../../src/errors/codes.js';
import { failing, recorder, rejection, setup } from './helpers.js';

const event = { type: 'm.room.message', sender: '@a:x', room_id: '!r:x', content: { body: 'hi' } };
const FORBIDDEN = [Codes.FORBIDDEN, {}];

/** Runs `name` with one registration returning `result`, then a second that must not matter. */
async function single(name: string, result: unknown, ...args: unknown[]) {
  const f = setup();
  f.registry.register(f.mod(0), 'spam_checker', { [name]: async () => result });
  return {
    result: await f.registry.run(hostCategory('spam_checker'), name, ...args),
    logs: f.logs,
  };
}

describe('spam_checker', () => {
  describe('check_event_for_spam (false continues, true rejects)', () => {
    it('NOT_SPAM and false continue to the next module; all allowing gives NOT_SPAM', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'a', NOT_SPAM),
      });
      registry.register(mod(1), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'b', false),
      });
      registry.register(mod(2), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'c', NOT_SPAM),
      });
      expect(await registry.run('spam_checker', 'check_event_for_spam', event)).to.equal(NOT_SPAM);
      expect(calls).to.deep.equal(['a', 'b', 'c']);
    });

    it('the first rejection wins and later modules are not called', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'a', NOT_SPAM),
      });
      registry.register(mod(1), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'b', Codes.LIMIT_EXCEEDED),
      });
      registry.register(mod(2), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'c', true),
      });
      expect(await registry.run('spam_checker', 'check_event_for_spam', event)).to.deep.equal([
        Codes.LIMIT_EXCEEDED,
        {},
      ]);
      expect(calls).to.deep.equal(['a', 'b']);
    });

    it('normalises true, codes, [code, dict], strings and junk', async () => {
      expect((await single('check_event_for_spam', true, event)).result).to.deep.equal(FORBIDDEN);
      expect(
        (await single('check_event_for_spam', [Codes.FORBIDDEN, { why: 'x' }], event)).result,
      ).to.deep.equal([Codes.FORBIDDEN, { why: 'x' }]);
      expect((await single('check_event_for_spam', 'go away', event)).result).to.deep.equal([
        Codes.FORBIDDEN,
        { error: 'go away' },
      ]);
      const junk = await single('check_event_for_spam', 42, event);
      expect(junk.result).to.deep.equal([
        Codes.FORBIDDEN,
        { error: 'This message has been rejected as probable spam' },
      ]);
      expect(junk.logs.some((r) => r.levelName === 'warn' && r.module === 'first')).to.equal(true);
    });

    it('exceptions propagate and stop the chain', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'spam_checker', { check_event_for_spam: failing(calls, 'a') });
      registry.register(mod(1), 'spam_checker', {
        check_event_for_spam: recorder(calls, 'b', NOT_SPAM),
      });
      expect(
        (await rejection(registry.run('spam_checker', 'check_event_for_spam', event))).message,
      ).to.equal('a broke');
      expect(calls).to.deep.equal(['a']);
    });

    it('on_error: fail_closed turns an exception into a FORBIDDEN rejection', async () => {
      const { registry, mod } = setup();
      registry.register(mod(0, { on_error: 'fail_closed' }), 'spam_checker', {
        check_event_for_spam: failing([], 'a'),
      });
      registry.register(mod(1), 'spam_checker', { check_event_for_spam: async () => NOT_SPAM });
      expect(await registry.run('spam_checker', 'check_event_for_spam', event)).to.deep.equal(
        FORBIDDEN,
      );
    });

    it('on_error: fail_open lets the next module decide', async () => {
      const { registry, mod } = setup();
      registry.register(mod(0, { on_error: 'fail_open' }), 'spam_checker', {
        check_event_for_spam: failing([], 'a'),
      });
      registry.register(mod(1), 'spam_checker', {
        check_event_for_spam: async () => Codes.FORBIDDEN,
      });
      expect(await registry.run('spam_checker', 'check_event_for_spam', event)).to.deep.equal(
        FORBIDDEN,
      );
    });

    it('check_media_file_for_spam has the same polarity', async () => {
      expect((await single('check_media_file_for_spam', false, {}, {})).result).to.equal(NOT_SPAM);
      expect((await single('check_media_file_for_spam', true, {}, {})).result).to.deep.equal(
        FORBIDDEN,
      );
    });
  });

  describe('user_may_* (true continues, false rejects)', () => {
    for (const name of [
      'user_may_join_room',
      'user_may_invite',
      'user_may_send_3pid_invite',
      'user_may_create_room',
      'user_may_create_room_alias',
      'user_may_publish_room',
    ]) {
      it(`${name}: true and NOT_SPAM continue; false, codes and tuples decide`, async () => {
        const { registry, mod } = setup();
        const calls: string[] = [];
        registry.register(mod(0), 'spam_checker', { [name]: recorder(calls, 'a', true) });
        registry.register(mod(1), 'spam_checker', { [name]: recorder(calls, 'b', NOT_SPAM) });
        registry.register(mod(2), 'spam_checker', { [name]: recorder(calls, 'c', false) });
        expect(
          await registry.run(hostCategory('spam_checker'), name, '@u:x', {}, '!r:x', '!r:x'),
        ).to.deep.equal(FORBIDDEN);
        expect(calls).to.deep.equal(['a', 'b', 'c']);
        expect((await single(name, Codes.LIMIT_EXCEEDED, '@u:x', {})).result).to.deep.equal([
          Codes.LIMIT_EXCEEDED,
          {},
        ]);
        expect((await single(name, [Codes.FORBIDDEN, { a: 1 }], '@u:x', {})).result).to.deep.equal([
          Codes.FORBIDDEN,
          { a: 1 },
        ]);
        expect((await single(name, NOT_SPAM, '@u:x', {})).result).to.equal(NOT_SPAM);
      });
    }

    it('anything else is a warning and FORBIDDEN', async () => {
      const { result, logs } = await single('user_may_join_room', 'maybe', '@u:x', '!r:x', false);
      expect(result).to.deep.equal(FORBIDDEN);
      expect(logs.find((r) => r.levelName === 'warn')).to.include({
        module: 'first',
        callback: 'user_may_join_room',
      });
    });

    it('user_may_create_room gives each callback its own deep copy of the room config', async () => {
      const { registry, mod } = setup();
      const seen: unknown[] = [];
      const config = { preset: 'public_chat', initial_state: [{ type: 'x', content: { a: 1 } }] };
      registry.register(mod(0), 'spam_checker', {
        user_may_create_room: async (_user: string, cfg: any) => {
          cfg.initial_state[0].content.a = 2;
          cfg.preset = 'private_chat';
          return NOT_SPAM;
        },
      });
      registry.register(mod(1), 'spam_checker', {
        user_may_create_room: async (_user: string, cfg: any) => {
          seen.push(structuredClone(cfg));
          return NOT_SPAM;
        },
      });
      expect(await registry.run('spam_checker', 'user_may_create_room', '@u:x', config)).to.equal(
        NOT_SPAM,
      );
      expect(seen).to.deep.equal([
        { preset: 'public_chat', initial_state: [{ type: 'x', content: { a: 1 } }] },
      ]);
      expect(config.initial_state[0]!.content.a).to.equal(1);
    });
  });

  describe('user_may_send_state_event (only NOT_SPAM continues)', () => {
    it('true rejects; a code keeps its code; a tuple becomes FORBIDDEN', async () => {
      const args = ['@u:x', '!r:x', 'm.room.topic', '', {}];
      expect((await single('user_may_send_state_event', NOT_SPAM, ...args)).result).to.equal(
        NOT_SPAM,
      );
      expect((await single('user_may_send_state_event', true, ...args)).result).to.deep.equal(
        FORBIDDEN,
      );
      expect(
        (await single('user_may_send_state_event', Codes.LIMIT_EXCEEDED, ...args)).result,
      ).to.deep.equal([Codes.LIMIT_EXCEEDED, {}]);
      expect(
        (await single('user_may_send_state_event', [Codes.LIMIT_EXCEEDED, {}], ...args)).result,
      ).to.deep.equal(FORBIDDEN);
    });
  });

  describe('check_login_for_spam (only NOT_SPAM continues)', () => {
    it('true is a rejection here', async () => {
      const args = ['@u:x', 'DEV', null, [], null];
      expect((await single('check_login_for_spam', true, ...args)).result).to.deep.equal(FORBIDDEN);
      expect((await single('check_login_for_spam', NOT_SPAM, ...args)).result).to.equal(NOT_SPAM);
      expect(
        (
          await single(
            'check_login_for_spam',
            [Codes.LIMIT_EXCEEDED, { retry_after_ms: 5 }],
            ...args,
          )
        ).result,
      ).to.deep.equal([Codes.LIMIT_EXCEEDED, { retry_after_ms: 5 }]);
    });
  });

  describe('federated_user_may_invite', () => {
    const invite = {
      type: 'm.room.member',
      sender: '@in:x',
      state_key: '@ee:y',
      room_id: '!r:x',
      content: {},
    };

    it('when every module allows, falls through to user_may_invite with sender, invitee and room', async () => {
      const { registry, mod } = setup();
      const seen: unknown[][] = [];
      registry.register(mod(0), 'spam_checker', { federated_user_may_invite: async () => true });
      registry.register(mod(1), 'spam_checker', {
        user_may_invite: async (...args: unknown[]) => {
          seen.push(args);
          return Codes.FORBIDDEN;
        },
      });
      expect(await registry.run('spam_checker', 'federated_user_may_invite', invite)).to.deep.equal(
        FORBIDDEN,
      );
      expect(seen).to.deep.equal([['@in:x', '@ee:y', '!r:x']]);
    });

    it('falls through even when no module registered it', async () => {
      const { registry, mod } = setup();
      registry.register(mod(0), 'spam_checker', { user_may_invite: async () => false });
      expect(await registry.run('spam_checker', 'federated_user_may_invite', invite)).to.deep.equal(
        FORBIDDEN,
      );
    });

    it('a rejection is returned without consulting user_may_invite', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'spam_checker', {
        federated_user_may_invite: recorder(calls, 'fed', false),
      });
      registry.register(mod(1), 'spam_checker', {
        user_may_invite: recorder(calls, 'local', true),
      });
      expect(await registry.run('spam_checker', 'federated_user_may_invite', invite)).to.deep.equal(
        FORBIDDEN,
      );
      expect(calls).to.deep.equal(['fed']);
    });
  });

  describe('truthy checks', () => {
    it('should_drop_federated_event: the first truthy result wins as it is', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'spam_checker', {
        should_drop_federated_event: recorder(calls, 'a', 0),
      });
      registry.register(mod(1), 'spam_checker', {
        should_drop_federated_event: recorder(calls, 'b', 'drop it'),
      });
      registry.register(mod(2), 'spam_checker', {
        should_drop_federated_event: recorder(calls, 'c', true),
      });
      expect(await registry.run('spam_checker', 'should_drop_federated_event', event)).to.equal(
        'drop it',
      );
      expect(calls).to.deep.equal(['a', 'b']);
      expect((await single('should_drop_federated_event', null, event)).result).to.equal(false);
    });

    it('check_username_for_spam: the first truthy result marks the user as spammy', async () => {
      expect(
        (await single('check_username_for_spam', 'yes', { user_id: '@u:x' }, '@r:x')).result,
      ).to.equal(true);
      expect(
        (await single('check_username_for_spam', 0, { user_id: '@u:x' }, '@r:x')).result,
      ).to.equal(false);
    });
  });

  describe('check_registration_for_spam', () => {
    it('ALLOW continues; the first DENY or SHADOW_BAN is returned', async () => {
      const { registry, mod } = setup();
      const calls: string[] = [];
      registry.register(mod(0), 'spam_checker', {
        check_registration_for_spam: recorder(calls, 'a', RegistrationBehaviour.ALLOW),
      });
      registry.register(mod(1), 'spam_checker', {
        check_registration_for_spam: recorder(calls, 'b', RegistrationBehaviour.SHADOW_BAN),
      });
      registry.register(mod(2), 'spam_checker', {
        check_registration_for_spam: recorder(calls, 'c', RegistrationBehaviour.DENY),
      });
      expect(
        await registry.run('spam_checker', 'check_registration_for_spam', null, 'u', [], null),
      ).to.equal(RegistrationBehaviour.SHADOW_BAN);
      expect(calls).to.deep.equal(['a', 'b']);
    });

    it('a result outside the enum is an error naming the module', async () => {
      const f = setup();
      f.registry.register(f.mod(0), 'spam_checker', {
        check_registration_for_spam: async () => true,
      });
      const err = await rejection(
        f.registry.run('spam_checker', 'check_registration_for_spam', null, 'u', [], null),
      );
      expect(err.code).to.equal(ErrorCode.CALLBACK_BAD_RESULT);
      expect(err.message).to.contain('"first"');
    });

    it('nothing registered allows', async () => {
      const { registry } = setup();
      expect(
        await registry.run('spam_checker', 'check_registration_for_spam', null, 'u', [], null),
      ).to.equal(RegistrationBehaviour.ALLOW);
    });
  });
});
