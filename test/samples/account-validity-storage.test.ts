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

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);
const config = { period: '30d', renew_at: '7d', check_interval: '1h' };
const alice = '@alice:test';

async function instance(database: Record<string, unknown>, name: string): Promise<DemoTestHost> {
  return demoTestHost({
    modules: [{ module: AccountValidity, config }],
    database,
    now: NOW,
    instance: { name, run_background_tasks: name === 'main' },
  });
}

const expired = (t: DemoTestHost, userId: string) =>
  t.host.callbacks.run('account_validity', 'is_user_expired', userId);

describe('sample account_validity: state in the database', function () {
  this.timeout(120_000);
  const open: DemoTestHost[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.demo.close();
  });

  it('survives a restart on the embedded engine', async () => {
    const dir = await freshDataDir('modhost-av-');
    try {
      const first = await instance({ path: dir }, 'main');
      await first.host.callbacks.run('account_validity', 'on_user_registration', alice);
      await first.host.module(AccountValidity).store.setExpiration(alice, NOW + 3 * DAY);
      await first.demo.close();
      const second = await instance({ path: dir }, 'main');
      open.push(second);
      expect(await expired(second, alice)).to.equal(false);
      expect((await second.host.module(AccountValidity).store.get(alice))?.expirationTs).to.equal(
        NOW + 3 * DAY,
      );
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
        ['main', 'worker1', 'worker2'].map((n) => instance(database, n)),
      );
      open.push(a!, b!, c!);
      await a!.host.callbacks.run('account_validity', 'on_user_registration', alice);
      // In memory, b and c would know nothing of alice (null); from the database they know her.
      expect(await expired(b!, alice)).to.equal(false);
      await b!.host.module(AccountValidity).store.setExpiration(alice, NOW - 1);
      expect(await expired(a!, alice)).to.equal(true);
      expect(await expired(c!, alice)).to.equal(true);

      // A renewal link issued by one instance renews once, wherever it is opened.
      await a!.host.module(AccountValidity).sendRenewalNotice(alice);
      const token = (await c!.host.module(AccountValidity).store.get(alice))!.renewalToken!;
      const link = a!.host.module(AccountValidity).renewalUrl(token);
      const [r1, r2] = await Promise.all([
        b!.host.fetch(new Request(link)),
        c!.host.fetch(new Request(link)),
      ]);
      expect([r1.status, r2.status].sort()).to.deep.equal([200, 404]);
      expect(await expired(a!, alice)).to.equal(false);

      for (const t of open.splice(0)) await t.demo.close();
      const restarted = await instance(database, 'main');
      open.push(restarted);
      expect(await expired(restarted, alice)).to.equal(false);
      expect(
        (await restarted.host.module(AccountValidity).store.get(alice))!.expirationTs,
      ).to.equal(NOW + 30 * DAY);
    });
  });
});
