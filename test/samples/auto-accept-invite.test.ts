import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { stateKey } from 'modhost';
import { createTestHost, type TestHost } from 'modhost/testing';
import { AutoAcceptInvite } from '../../samples/modules/auto-accept-invite.js';
import { demoTestHost, type DemoTestHost, info } from './demo-helpers.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/auto-accept-invite.ts';

/** Joins a host's module made ("invite accepted" lines: its logs reach the host either way). */
const accepted = (host: TestHost) => host.logs.filter((r) => r.msg === 'invite accepted').length;
/** An invite of bob by `sender` into `roomId`, as the host would hand it to on_new_event. */
const inviteOfBob = (roomId: string, sender: string) => ({
  type: 'm.room.member',
  room_id: roomId,
  sender,
  state_key: '@bob:test',
  content: { membership: 'invite' },
});
const retries = (host: TestHost) => host.logs.filter((r) => r.msg.includes('will retry')).length;

for (const mode of ISOLATION_MODES)
  describe(`sample auto_accept_invite (${mode})`, () => {
    const entry = (config?: unknown) =>
      moduleEntry(mode, AutoAcceptInvite, SOURCE, config === undefined ? {} : { config });
    let t: DemoTestHost;
    const others: TestHost[] = [];
    afterEach(async () => {
      for (const h of others.splice(0)) await h.stop();
      await t?.demo.close();
    });

    async function roomWithInvite(isDirect = false) {
      const alice = await t.hs.accounts.register({ username: 'alice', password: 'pw' }, info);
      await t.hs.accounts.register({ username: 'bob', password: 'pw' }, info);
      const requester = { user_id: alice.user_id, device_id: 'D', is_guest: false };
      const roomId = await t.hs.rooms.createRoom(requester, {});
      await t.hs.rooms.invite(alice.user_id, roomId, '@bob:test', isDirect);
      return roomId;
    }

    const membership = (roomId: string, user: string) =>
      t.hs.state.membership(t.hs.rooms.room(roomId), user);

    it('joins a local invitee as soon as the invite is sent', async () => {
      t = await demoTestHost({ modules: [entry()] });
      const roomId = await roomWithInvite();
      expect(membership(roomId, '@bob:test')).to.equal('join');
      expect(accepted(t.host)).to.equal(1);
    });

    it('with accept_invites_only_for_direct_messages, ignores invites that are not direct', async () => {
      t = await demoTestHost({
        modules: [entry({ accept_invites_only_for_direct_messages: true })],
      });
      const plain = await roomWithInvite(false);
      expect(membership(plain, '@bob:test')).to.equal('invite');
      const alice = { user_id: '@alice:test', device_id: 'D', is_guest: false };
      const direct = await t.hs.rooms.createRoom(alice, { invite: ['@bob:test'], is_direct: true });
      expect(membership(direct, '@bob:test')).to.equal('join');
    });

    it('with accept_invites_only_from_local_users, ignores remote inviters', async () => {
      t = await demoTestHost({
        modules: [entry({ accept_invites_only_from_local_users: true })],
      });
      const invite = inviteOfBob('!nowhere:test', '@eve:elsewhere.example');
      await t.host.callbacks.run('third_party_rules', 'on_new_event', invite, new Map());
      expect(accepted(t.host)).to.equal(0);
      expect(t.host.logs.filter((r) => r.levelName === 'warn')).to.deep.equal([]);
    });

    it('acts on one instance only: the background-task one, or instance_to_run_on', async () => {
      t = await demoTestHost({
        modules: [entry()],
        instance: { name: 'main', run_background_tasks: true },
      });
      const worker = await createTestHost({
        modules: [entry()],
        providers: t.demo.providers,
        instance: { name: 'worker1', run_background_tasks: false },
      });
      others.push(worker);
      const roomId = await roomWithInvite();
      // The worker sees the same event, as every instance would.
      const invite = t.hs.rooms.room(roomId).state.get(stateKey('m.room.member', '@bob:test'));
      await worker.callbacks.run(
        hostCategory('third_party_rules'),
        'on_new_event',
        invite,
        new Map(),
      );
      expect(accepted(t.host)).to.equal(1);
      expect(accepted(worker)).to.equal(0);

      const pinned = await createTestHost({
        modules: [entry({ instance_to_run_on: 'worker2' })],
        providers: t.demo.providers,
        instance: { name: 'worker2', run_background_tasks: false },
      });
      others.push(pinned);
      // An invite to a room that does not exist: only the acting instance tries (and will retry).
      const missing = inviteOfBob('!missing:test', '@alice:test');
      for (const h of [pinned, worker])
        await h.callbacks.run(
          hostCategory('third_party_rules'),
          'on_new_event',
          missing,
          new Map(),
        );
      expect(retries(pinned)).to.equal(1);
      expect(retries(worker)).to.equal(0);
    });

    it('retries a failed join later, then gives up with an error log', async () => {
      t = await demoTestHost({ modules: [entry()] });
      const invite = inviteOfBob('!missing:test', '@alice:test');
      await t.host.callbacks.run('third_party_rules', 'on_new_event', invite, new Map());
      const warnings = () => retries(t.host);
      expect(warnings()).to.equal(1);
      await t.host.clock.advance(1_000);
      expect(warnings()).to.equal(2);
      await t.host.clock.advance(5_000);
      await t.host.clock.advance(30_000);
      expect(warnings()).to.equal(3);
      expect(t.host.logs.some((r) => r.msg.includes('giving up'))).to.equal(true);
    });
  });
