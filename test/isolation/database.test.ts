/**
 * `api.database` in an isolated module, on the embedded engine (PGlite, which cannot be opened
 * twice on one directory) and on PostgreSQL: every statement goes to the host's database
 * service, transactions are held on the host and rolled back when the worker dies, migrations
 * declared on the class and given on demand (with function `up`s that run in the worker) apply
 * as in process.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestHost, type TestHost } from 'modhost/testing';
import { Module } from '../../decorators/index.js';
import { ModuleDatabase } from '../../src/index.js';
import { waitFor } from '../cluster/wait-for.js';
import { builtFixture } from '../helpers/paths.js';
import { PostgresServer, requirePostgres } from '../helpers/postgres-server.js';

const LEDGER = `${builtFixture('isolation/database.js')}#Ledger`;
const LIMIT = 30_000;

/** In process beside the isolated module, on the same engine (one connection when embedded). */
@Module({ name: 'bystander' })
class Bystander {
  constructor(readonly db: ModuleDatabase) {}
}

interface Engine {
  name: 'embedded' | 'postgres';
  /** Starts what the engine needs; gives the `database:` config and the cleanup. */
  open(
    context: Mocha.Context,
  ): Promise<{ database: Record<string, unknown>; close(): Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'embedded',
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), 'modhost-isodb-'));
      return {
        database: { path: dir },
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    async open(context) {
      requirePostgres(context);
      const pg = await PostgresServer.start();
      return { database: { url: pg.url, pool_size: 2 }, close: () => pg.destroy() };
    },
  },
];

for (const engine of ENGINES)
  describe(`isolation: api.database in a worker (${engine.name})`, function () {
    // PGlite's first start in a fresh directory runs initdb (seconds on a loaded machine).
    this.timeout(120_000);
    let opened: Awaited<ReturnType<Engine['open']>> | undefined;
    let host: TestHost;
    before(async function () {
      opened = await engine.open(this);
      host = await createTestHost({
        database: opened.database,
        modules: [
          { module: Bystander },
          {
            module: LEDGER,
            isolation: 'worker',
            supervision: { restart_backoff: '10ms', blocked_timeout: '1s' },
          },
        ],
      });
    });
    after(async () => {
      await host?.stop();
      await opened?.close();
    });

    const call = async (p: string, body?: unknown): Promise<any> => {
      const res = await host.fetch(
        new Request(`http://x/_synapse/client/ledger${p}`, {
          method: body === undefined ? 'GET' : 'POST',
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      expect(res.status, `${p} answered ${res.status}`).to.equal(200);
      return res.json();
    };
    const names = async () => ((await call('')).rows as { name: string }[]).map((r) => r.name);

    it("applies the class's migrations at start (a function up included) and queries its own schema", async () => {
      const state = await call('');
      expect(state.rows).to.deep.equal([{ name: 'seed', amount: 1 }]);
      expect(state.same).to.equal(true);
      expect(state.engine).to.equal(engine.name);
      expect(state.schema).to.equal('mod_ledger');
      expect(await call('/add', { name: 'alice', amount: 5 })).to.equal(1);
      expect(await names()).to.deep.equal(['alice', 'seed']);
      // Namespaces hold across threads: the module's table is not the bystander's.
      const err = await host
        .module(Bystander)
        .db.query('select * from entries')
        .catch((e) => e);
      expect(err.sqlState).to.equal('42P01');
    });

    it('commits a transaction body that resolves and rolls back one that throws', async () => {
      expect(await call('/transfer', { name: 'ok' })).to.deep.equal({ out: 'committed' });
      expect(await call('/transfer', { name: 'no', fail: true })).to.deep.equal({
        error: 'changed my mind',
      });
      const got = await names();
      expect(got).to.include.members(['ok_a', 'ok_b']);
      expect(got).not.to.include('no_a');
    });

    it('reruns a transaction body after a serialisation failure, as in process', async () => {
      expect(await call('/retry', {})).to.deep.equal({ out: 3 });
      expect((await call('')).rows).to.deep.include({ name: 'retried', amount: 3 });
    });

    it('keeps DatabaseError with its SQLSTATE, bytea as a Buffer, and refuses a parameter that cannot cross', async () => {
      const err = await call('/error');
      expect(err).to.include({
        name: 'DatabaseError',
        code: 'MODHOST_DATABASE_QUERY_FAILED',
        sqlState: '42P01',
        isDatabaseError: true,
      });
      expect(err.message).to.include('database mod_ledger');
      expect(await call('/bytes')).to.deep.equal({ buffer: true, text: 'hi' });
      const bad = await call('/bad-param');
      expect(bad.code).to.equal('MODHOST_VALUE_CANNOT_CROSS');
      expect(bad.message).to.include('module ledger');
      expect(bad.message).to.include('query parameter $1');
      expect(bad.message).to.include('a function');
    });

    it('applies migrations given on demand, running a function up in the worker', async () => {
      expect(await call('/migrate', {})).to.deep.equal(['003_notes', '004_note']);
      expect(await call('/notes')).to.deep.equal([{ v: 'from the worker' }]);
      expect(await call('/migrate', {})).to.deep.equal([]);
    });

    it('rolls back the transaction of a worker that is terminated inside it; other modules go on', async () => {
      const restarts = () =>
        host.logs.filter((r) => r.msg.includes('restarted in a new worker thread')).length;
      const before = restarts();
      const held = host.fetch(
        new Request('http://x/_synapse/client/ledger/hold', { method: 'POST', body: '{}' }),
      );
      // On the embedded engine the worker holds its one connection until the host ends it: this
      // statement waits for the rollback, then runs.
      await waitFor(
        'the stuck worker to be terminated',
        () => host.logs.some((r) => r.msg.includes('stopped answering')),
        LIMIT,
      );
      expect((await host.module(Bystander).db.query('select 1 as one')).rows).to.deep.equal([
        { one: 1 },
      ]);
      expect((await held).status).to.equal(503);
      await waitFor('the module to restart', () => restarts() > before, LIMIT);
      expect(await names()).not.to.include('held');
      // Were the transaction still open, its uncommitted row would hold the key's lock and this
      // insert would wait for it (on PostgreSQL) instead of succeeding.
      expect(await call('/add', { name: 'held', amount: 2 })).to.equal(1);
    });
  });
