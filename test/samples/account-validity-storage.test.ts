/**
 * account_validity keeps its records in the database: what one instance sets, the others see,
 * and a restart forgets nothing, on the embedded engine (restart) and on PostgreSQL (three
 * instances and a restart).
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { freshDataDir } from '../helpers/pglite-template.js';
import { AccountValidity } from '../../samples/modules/account-validity.js';
import { PostgresServer, requirePostgres } from '../helpers/postgres-server.js';
import { demoTestHost, type DemoTestHost } from './demo-helpers.js';
import { ISOLATION_MODES, type IsolationMode, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/account-validity.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);
const config = { period: '30d', renew_at: '7d', check_interval: '1h' };
const alice = '@alice:test';

async function instance(
  mode: IsolationMode,
  database: Record<string, unknown>,
  name: string,
): Promise<DemoTestHost> {
  return demoTestHost({
    modules: [moduleEntry(mode, AccountValidity, SOURCE, { config })],
    database,
    now: NOW,
    instance: { name, run_background_tasks: name === 'main' },
  });
}

const expired = (t: DemoTestHost, userId: string) =>
  t.host.callbacks.run('account_validity', 'is_user_expired', userId);

/**
 * The module's table as the test sees it, through a host namespace of the same database (a
 * namespace is a guard against accidents, so a qualified name reaches the module's schema):
 * the same in both modes, where the module's instance may be in a worker thread.
 */
const table = (t: DemoTestHost) => ({
  async get(userId: string) {
    const { rows } = await t.host
      .database('probe')
      .query<{ expiration_ts: string; renewal_token: string | null }>(
        'select expiration_ts, renewal_token from mod_account_validity.validity where user_id = $1',
        [userId],
      );
    const row = rows[0];
    return row && { expirationTs: Number(row.expiration_ts), renewalToken: row.renewal_token };
  },
  async setExpiration(userId: string, expirationTs: number) {
    await t.host
      .database('probe')
      .query('update mod_account_validity.validity set expiration_ts = $2 where user_id = $1', [
        userId,
        expirationTs,
      ]);
  },
});

for (const mode of ISOLATION_MODES)
  describe(`sample account_validity: state in the database (${mode})`, function () {
    this.timeout(120_000);
    const open: DemoTestHost[] = [];
    afterEach(async () => {
      for (const t of open.splice(0)) await t.demo.close();
    });

    it('survives a restart on the embedded engine', async () => {
      const dir = await freshDataDir('modhost-av-');
      try {
        const first = await instance(mode, { path: dir }, 'main');
        await first.host.callbacks.run('account_validity', 'on_user_registration', alice);
        await table(first).setExpiration(alice, NOW + 3 * DAY);
        await first.demo.close();
        const second = await instance(mode, { path: dir }, 'main');
        open.push(second);
        expect(await expired(second, alice)).to.equal(false);
        expect((await table(second).get(alice))?.expirationTs).to.equal(NOW + 3 * DAY);
        await second.host.clock.advance(3 * DAY);
        expect(await expired(second, alice)).to.equal(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    describe('on PostgreSQL, across instances', () => {
      let pg: PostgresServer;
      before(async function () {
        requirePostgres(this);
        pg = await PostgresServer.start();
      });
      after(async () => pg?.destroy());

      it('an expiry set on one instance is seen by the others and after a restart', async () => {
        const database = { url: pg.url };
        const [a, b, c] = await Promise.all(
          ['main', 'worker1', 'worker2'].map((n) => instance(mode, database, n)),
        );
        open.push(a!, b!, c!);
        await a!.host.callbacks.run('account_validity', 'on_user_registration', alice);
        // In memory, b and c would know nothing of alice (null); from the database they know her.
        expect(await expired(b!, alice)).to.equal(false);
        await table(b!).setExpiration(alice, NOW - 1);
        expect(await expired(a!, alice)).to.equal(true);
        expect(await expired(c!, alice)).to.equal(true);

        // A renewal link issued by one instance renews once, wherever it is opened.
        // a runs background tasks: its notice loop issues the token (alice has no address, so
        // the notice itself goes nowhere).
        await a!.host.clock.advance(3_600_000);
        const token = (await table(c!).get(alice))!.renewalToken!;
        expect(token).to.be.a('string');
        const link = `http://localhost/_synapse/client/email_account_validity/renew?token=${token}`;
        const [r1, r2] = await Promise.all([
          b!.host.fetch(new Request(link)),
          c!.host.fetch(new Request(link)),
        ]);
        expect([r1.status, r2.status].sort()).to.deep.equal([200, 404]);
        expect(await expired(a!, alice)).to.equal(false);

        for (const t of open.splice(0)) await t.demo.close();
        const restarted = await instance(mode, database, 'main');
        open.push(restarted);
        expect(await expired(restarted, alice)).to.equal(false);
        expect((await table(restarted).get(alice))!.expirationTs).to.equal(NOW + 30 * DAY);
      });
    });
  });
