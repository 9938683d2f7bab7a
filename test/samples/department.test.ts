import { expect } from 'chai';
import { createTestHost, type TestHost } from 'modhost/testing';
import { Department } from '../../samples/modules/department.js';
import { type JsonService, rejectionOf, startJsonService } from './helpers.js';
import { RedisServer, requireRedisServer } from '../helpers/redis-server.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/department.ts';

const SECRET = 'an-invalidation-secret';
const BASE = 'http://localhost/_synapse/client/department';

for (const mode of ISOLATION_MODES)
  describe(`sample department (cached remote lookup) (${mode})`, () => {
    let directory: JsonService;
    const departments = new Map<string, string>();
    const hosts: TestHost[] = [];

    beforeEach(async () => {
      departments.clear();
      departments.set('@alice:x', 'engineering');
      directory = await startJsonService((r) => {
        const userId = new URL(r.path, 'http://x').searchParams.get('user_id')!;
        return { status: 200, body: { department: departments.get(userId) ?? 'general' } };
      });
    });
    afterEach(async () => {
      for (const h of hosts.splice(0)) await h.stop();
      await directory.close();
    });

    async function start(extra: Record<string, unknown> = {}): Promise<TestHost> {
      const host = await createTestHost({
        modules: [
          moduleEntry(mode, Department, SOURCE, {
            config: { directory_url: `${directory.url}/directory`, invalidation_secret: SECRET },
          }),
        ],
        ...extra,
      });
      hosts.push(host);
      return host;
    }

    const lookup = async (host: TestHost, userId: string) =>
      (await (
        await host.fetch(new Request(`${BASE}/lookup?user_id=${encodeURIComponent(userId)}`))
      ).json()) as {
        department: string;
      };
    const invalidate = (host: TestHost, userId: string, token = SECRET) =>
      host.fetch(
        new Request(`${BASE}/invalidate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify({ user_id: userId }),
        }),
      );

    it('asks the directory once per user, then serves the cached answer', async () => {
      const host = await start();
      expect((await lookup(host, '@alice:x')).department).to.equal('engineering');
      expect((await lookup(host, '@alice:x')).department).to.equal('engineering');
      expect((await lookup(host, '@bob:x')).department).to.equal('general');
      expect(directory.received).to.have.length(2);
      expect(directory.received[0]!.path).to.equal('/directory?user_id=%40alice%3Ax');
    });

    it('invalidates one entry through the web resource, with the secret only', async () => {
      const host = await start();
      await lookup(host, '@alice:x');
      departments.set('@alice:x', 'research');
      expect((await invalidate(host, '@alice:x', 'wrong-secret-of-length')).status).to.equal(403);
      expect((await lookup(host, '@alice:x')).department).to.equal('engineering');
      const notJson = await host.fetch(
        new Request(`${BASE}/invalidate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SECRET}` },
          body: '{',
        }),
      );
      expect(notJson.status).to.equal(400);
      expect(((await notJson.json()) as { errcode: string }).errcode).to.equal('M_NOT_JSON');
      const res = await invalidate(host, '@alice:x');
      expect(res.status).to.equal(200);
      expect((await lookup(host, '@alice:x')).department).to.equal('research');
    });

    it('forgets entries after the TTL', async () => {
      const host = await start();
      await lookup(host, '@alice:x');
      departments.set('@alice:x', 'research');
      await host.clock.advance(11 * 60_000);
      expect((await lookup(host, '@alice:x')).department).to.equal('research');
    });

    it('answers 502 when the directory answers nonsense, and caches no failure', async () => {
      const host = await start();
      await directory.close();
      directory = await startJsonService(() => ({ status: 200, body: { dept: 'x' } }));
      await host.stop();
      const fresh = await createTestHost({
        modules: [
          moduleEntry(mode, Department, SOURCE, { config: { directory_url: directory.url } }),
        ],
      });
      hosts.push(fresh);
      const res = await fresh.fetch(new Request(`${BASE}/lookup?user_id=%40a%3Ax`));
      expect(res.status).to.equal(502);
      await fresh.fetch(new Request(`${BASE}/lookup?user_id=%40a%3Ax`));
      expect(directory.received).to.have.length(2);
      // No secret configured: nobody may invalidate.
      expect((await invalidate(fresh, '@a:x')).status).to.equal(403);
    });

    it('refuses a directory_url that is not an http URL', async () => {
      const err = await rejectionOf(
        createTestHost({
          modules: [moduleEntry(mode, Department, SOURCE, { config: { directory_url: 'nope' } })],
        }),
      );
      expect(err.message).to.include('modules[0].config.directory_url');
    });

    describe('across instances (Redis)', function () {
      let redis: RedisServer | undefined;
      before(async function () {
        requireRedisServer(this);
        redis = await RedisServer.start();
      });
      after(() => redis?.kill());

      it('invalidating on one instance invalidates on the other', async () => {
        const cluster = { redis_url: redis!.url };
        const main = await start({
          cluster,
          instance: { name: 'main', run_background_tasks: true },
        });
        const worker = await start({
          cluster,
          instance: { name: 'worker1', run_background_tasks: false },
        });
        await lookup(main, '@alice:x');
        await lookup(worker, '@alice:x');
        departments.set('@alice:x', 'research');
        expect((await invalidate(main, '@alice:x')).status).to.equal(200);
        // Delivery over pub/sub is asynchronous: wait for the worker's entry to go.
        for (let i = 0; i < 200; i++) {
          if ((await lookup(worker, '@alice:x')).department === 'research') break;
          await new Promise((r) => setTimeout(r, 10));
        }
        expect((await lookup(worker, '@alice:x')).department).to.equal('research');
        // main once, the worker once before and once after the invalidation
        expect(directory.received).to.have.length(3);
      });
    });
  });
