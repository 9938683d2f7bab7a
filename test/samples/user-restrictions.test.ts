import { expect } from 'chai';
import { Codes, NOT_SPAM } from 'modhost';
import { createTestHost, type TestHost } from 'modhost/testing';
import { UserRestrictions } from '../../samples/modules/user-restrictions.js';
import { rejectionOf } from './helpers.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/user-restrictions.ts';

const FORBIDDEN = [Codes.FORBIDDEN, {}];

for (const mode of ISOLATION_MODES)
  describe(`sample user_restrictions (${mode})`, () => {
    let host: TestHost;
    afterEach(() => host?.stop());

    const start = (config: unknown) =>
      createTestHost({ modules: [moduleEntry(mode, UserRestrictions, SOURCE, { config })] }).then(
        (h) => (host = h),
      );

    it('lets the first matching rule that names the permission decide, then default_deny', async () => {
      await start({
        rules: [
          { match: '@admin.*:example.org', allow: ['invite', 'create_room'] },
          { match: '@assistant.*:example.org', allow: ['invite'] },
        ],
        default_deny: ['invite', 'create_room'],
      });
      const mayCreate = (u: string) =>
        host.callbacks.run('spam_checker', 'user_may_create_room', u, {});
      const mayInvite = (u: string) =>
        host.callbacks.run(
          'spam_checker',
          'user_may_invite',
          u,
          '@x:example.org',
          '!r:example.org',
        );
      expect(await mayCreate('@adminalice:example.org')).to.equal(NOT_SPAM);
      expect(await mayInvite('@adminalice:example.org')).to.equal(NOT_SPAM);
      expect(await mayCreate('@assistantbob:example.org')).to.deep.equal(FORBIDDEN);
      expect(await mayInvite('@assistantbob:example.org')).to.equal(NOT_SPAM);
      expect(await mayCreate('@joe:example.org')).to.deep.equal(FORBIDDEN);
      expect(await mayInvite('@joe:example.org')).to.deep.equal(FORBIDDEN);
    });

    it('matches the whole user ID, not a part of it', async () => {
      await start({ rules: [{ match: '@admin:example.org', deny: ['create_room'] }] });
      const run = (u: string) => host.callbacks.run('spam_checker', 'user_may_create_room', u, {});
      expect(await run('@admin:example.org')).to.deep.equal(FORBIDDEN);
      expect(await run('@admin:example.org.evil')).to.equal(NOT_SPAM);
      expect(await run('@notadmin:example.org')).to.equal(NOT_SPAM);
    });

    it('allows everything by default, and skips a rule that does not name the permission', async () => {
      await start({
        rules: [
          { match: '@bob:.*', deny: ['invite'] },
          { match: '@bob:.*', deny: ['create_room'] },
        ],
      });
      const run = (u: string) => host.callbacks.run('spam_checker', 'user_may_create_room', u, {});
      expect(await run('@bob:x')).to.deep.equal(FORBIDDEN);
      expect(await run('@carol:x')).to.equal(NOT_SPAM);
    });

    it('checks the invitee for receive_invites', async () => {
      await start({ rules: [{ match: '@shy:x', deny: ['receive_invites'] }] });
      const run = (invitee: string) =>
        host.callbacks.run('spam_checker', 'user_may_invite', '@a:x', invitee, '!r:x');
      expect(await run('@shy:x')).to.deep.equal(FORBIDDEN);
      expect(await run('@bold:x')).to.equal(NOT_SPAM);
    });

    it('rejects a bad pattern or an unknown permission at load, naming the path', async () => {
      const err = await rejectionOf(
        createTestHost({
          modules: [
            moduleEntry(mode, UserRestrictions, SOURCE, {
              config: { rules: [{ match: '(unclosed', allow: ['fly'] }], default_deny: 'invite' },
            }),
          ],
        }),
      );
      expect(err.message).to.include('modules[0].config.rules[0].match');
      expect(err.message).to.include('valid regular expression');
      expect(err.message).to.include('modules[0].config.rules[0].allow');
      expect(err.message).to.include('modules[0].config.default_deny');
    });
  });
