import { expect } from 'chai';
import { AccountValidity } from '../../samples/modules/account-validity.js';
import { demoTestHost, type DemoTestHost, info } from './demo-helpers.js';
import { rejectionOf } from './helpers.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/account-validity.ts';

const DAY = 86_400_000;
const config = { period: '30d', renew_at: '7d', check_interval: '1h' };

for (const mode of ISOLATION_MODES)
  describe(`sample account_validity (${mode})`, function () {
    // The first test of a process opens the in-memory PGlite (initdb: seconds when loaded).
    this.timeout(60_000);
    const entry = (c: unknown = config) =>
      moduleEntry(mode, AccountValidity, SOURCE, { config: c });
    let t: DemoTestHost;
    afterEach(() => t?.demo.close());

    const expired = (userId: string) =>
      t.host.callbacks.run('account_validity', 'is_user_expired', userId);

    it('expires an account a period after registration', async () => {
      t = await demoTestHost({ modules: [entry()] });
      const { access_token, user_id } = await t.hs.accounts.register(
        { username: 'alice', password: 'pw' },
        info,
      );
      expect(await expired(user_id)).to.equal(false);
      expect(await expired('@unknown:test')).to.equal(false);
      await t.host.clock.advance(30 * DAY);
      expect(await expired(user_id)).to.equal(true);
      const err = await rejectionOf(t.hs.accounts.authenticate(access_token));
      expect(err.status).to.equal(403);
      expect(err.errcode).to.equal('ORG_MATRIX_EXPIRED_ACCOUNT');
    });

    it('sends a renewal notice before expiry, and the link renews the account once', async () => {
      t = await demoTestHost({ modules: [entry()] });
      const { user_id } = await t.hs.accounts.register(
        { username: 'alice', password: 'pw', email: 'a@example.org' },
        info,
      );
      await t.host.clock.advance(22 * DAY);
      expect(t.hs.state.outbox).to.have.length(0);
      await t.host.clock.advance(1 * DAY + 2 * 3_600_000);
      expect(t.hs.state.outbox).to.have.length(1);
      const notice = t.hs.state.outbox[0]!;
      expect(notice.to).to.equal('a@example.org');
      expect(notice.subject).to.equal('Renew your account');
      const link = /(http\S+)/.exec(notice.text)![1]!;
      expect(link).to.match(/\/_synapse\/client\/email_account_validity\/renew\?token=/);
      // Only one notice per period, however often the loop runs.
      await t.host.clock.advance(3 * DAY);
      expect(t.hs.state.outbox).to.have.length(1);

      const renewed = await t.host.fetch(new Request(link));
      expect(renewed.status).to.equal(200);
      // Renewed for a period from now (the page states the new expiry).
      const until = new Date(t.host.clock.now() + 30 * DAY).toISOString();
      expect(await renewed.text()).to.include(`renewed until ${until}`);
      expect((await t.host.fetch(new Request(link))).status).to.equal(404);
      await t.host.clock.advance(29 * DAY);
      expect(await expired(user_id)).to.equal(false);
    });

    it('runs the notice loop only on the instance that runs background tasks', async () => {
      t = await demoTestHost({
        modules: [entry()],
        instance: { name: 'worker', run_background_tasks: false },
      });
      await t.hs.accounts.register(
        { username: 'alice', password: 'pw', email: 'a@example.org' },
        info,
      );
      await t.host.clock.advance(29 * DAY);
      expect(t.hs.state.outbox).to.have.length(0);
    });

    it('serves send_mail to the user and admin to admins only', async () => {
      t = await demoTestHost({ modules: [entry()] });
      const alice = await t.hs.accounts.register(
        { username: 'alice', password: 'pw', email: 'a@example.org' },
        info,
      );
      const admin = await t.hs.accounts.register({ username: 'admin', password: 'pw' }, info);
      const base = 'http://localhost/_synapse/client/email_account_validity';
      const post = (path: string, token: string | undefined, body?: unknown) =>
        t.host.fetch(
          new Request(`${base}/${path}`, {
            method: 'POST',
            headers: token ? { authorization: `Bearer ${token}` } : {},
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
        );
      expect((await post('send_mail', undefined)).status).to.equal(401);
      expect((await post('send_mail', alice.access_token)).status).to.equal(200);
      expect(t.hs.state.outbox).to.have.length(1);

      const past = t.host.clock.now() - 1;
      expect((await post('admin', alice.access_token, { user_id: alice.user_id })).status).to.equal(
        403,
      );
      const bad = await post('admin', admin.access_token, {
        user_id: alice.user_id,
        expiration_ts: 'soon',
      });
      expect(bad.status).to.equal(400);
      const set = await post('admin', admin.access_token, {
        user_id: alice.user_id,
        expiration_ts: past,
      });
      expect(await set.json()).to.deep.equal({ expiration_ts: past });
      expect(await expired(alice.user_id)).to.equal(true);
    });

    it('rejects a duration it cannot read, naming the key', async () => {
      const err = await rejectionOf(demoTestHost({ modules: [entry({ period: 'forever' })] }));
      expect(err.message).to.include('modules[0].config.period');
      expect(err.message).to.include('duration');
    });
  });
