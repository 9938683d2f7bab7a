/**
 * Faults: the embedded engine killed (-9) mid-write keeps every committed transaction, whole;
 * PostgreSQL killed or frozen under load gives clear errors, never a hang, loses no committed
 * write, and the same host recovers by itself when the server is back.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freshDataDir } from '../helpers/pglite-template.js';
import { fileURLToPath } from 'node:url';
import { Module } from '../../decorators/index.js';
import { ModuleDatabase } from '../../src/index.js';
import { createTestHost, type TestHost } from '../../src/testing/index.js';
import { PG_PASSWORD, PostgresServer, requirePostgres } from '../helpers/postgres-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// The same module name as the child's (fixtures/committing-writer.ts), so the same schema.
@Module({ name: 'writer' })
class Ledger {
  static migrations = [
    { id: '001', up: 'create table a (id int primary key); create table b (id int primary key);' },
  ];
  constructor(readonly db: ModuleDatabase) {}
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('database faults', function () {
  this.timeout(180_000);

  it('embedded: kill -9 mid-write keeps every committed transaction, whole', async () => {
    const dir = await freshDataDir('modhost-db-kill-');
    const child = spawn(process.execPath, [path.join(here, 'fixtures/committing-writer.js'), dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = 0;
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) if (/^\d+$/.test(line)) acked = Number(line);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let h: TestHost | undefined;
    try {
      await until(
        '200 committed transactions in the child',
        () => {
          if (child.exitCode !== null) throw new Error(`writer exited: ${err}`);
          return acked >= 200;
        },
        150_000,
      );
      child.kill('SIGKILL');
      await exited;
      // The dead child's lock is taken over; every acknowledged commit is there, both rows of it.
      h = await createTestHost({ modules: [{ module: Ledger }], database: { path: dir } });
      const { db } = h.module(Ledger);
      const count = async (t: string) =>
        (
          await db.query<{ n: number; m: number }>(
            `select count(*)::int as n, coalesce(max(id), 0) as m from ${t}`,
          )
        ).rows[0]!;
      const a = await count('a');
      const b = await count('b');
      expect(a.n).to.be.at.least(acked);
      expect(a).to.deep.equal({ n: a.m, m: a.m });
      expect(b).to.deep.equal(a);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await h?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    let pg: PostgresServer;
    let h: TestHost;
    before(async function () {
      requirePostgres(this);
      pg = await PostgresServer.start();
      h = await createTestHost({
        modules: [{ module: Ledger }],
        database: { url: pg.url, pool_size: 4, query_timeout: '1s', connect_timeout: '1s' },
      });
    });
    after(async () => {
      await h?.stop();
      await pg?.destroy();
    });

    /** Four writers inserting ids; what was acknowledged, and every error, are recorded. */
    function load() {
      const acked: number[] = [];
      const errors: { code: string; message: string }[] = [];
      let next = (Date.now() % 1_000_000) * 1000;
      let stop = false;
      const { db } = h.module(Ledger);
      const writer = async () => {
        while (!stop) {
          const id = next++;
          try {
            await db.transaction(async (tx) => {
              await tx.query('insert into a values ($1)', [id]);
              await tx.query('insert into b values ($1)', [id]);
            });
            acked.push(id);
          } catch (e) {
            errors.push(e as { code: string; message: string });
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };
      const running = Promise.all([writer(), writer(), writer(), writer()]);
      return {
        acked,
        errors,
        finish: async () => {
          stop = true;
          await running;
        },
      };
    }

    async function assertDurable(acked: number[]) {
      const { db } = h.module(Ledger);
      const present = new Set(
        (await db.query<{ id: number }>('select a.id from a join b using (id)')).rows.map(
          (r) => r.id,
        ),
      );
      expect(acked.filter((id) => !present.has(id))).to.deep.equal([]);
    }

    it('killed under load: clear errors, no committed write lost, recovers by itself', async () => {
      const w = load();
      await until('writes', () => w.acked.length >= 50);
      await pg.kill();
      await until('errors while the server is down', () => w.errors.length >= 8);
      const beforeRestart = w.acked.length;
      await pg.restart();
      await until('the same host writing again', () => w.acked.length >= beforeRestart + 50);
      await w.finish();
      const codes = new Set(w.errors.map((e) => e.code));
      expect(
        [...codes].every((c) =>
          ['MODHOST_DATABASE_UNAVAILABLE', 'MODHOST_DATABASE_TIMEOUT'].includes(c),
        ),
        [...codes].join(),
      ).to.equal(true);
      const unavailable = w.errors.find((e) => e.code === 'MODHOST_DATABASE_UNAVAILABLE')!;
      expect(unavailable.message).to.match(/PostgreSQL at .*127\.0\.0\.1.* is unavailable/);
      for (const e of w.errors) expect(e.message).to.not.include(PG_PASSWORD);
      expect(JSON.stringify(h.logs)).to.not.include(PG_PASSWORD);
      await assertDurable(w.acked);
    });

    it('frozen (SIGSTOP) under load: every call settles within the query timeout, then recovers', async () => {
      const w = load();
      await until('writes', () => w.acked.length >= 50);
      pg.pause();
      try {
        // Counting, not timing: the writers keep getting answers (errors) while nothing answers.
        await until('timeouts while the server is frozen', () => w.errors.length >= 8);
      } finally {
        pg.resume();
      }
      const beforeResume = w.acked.length;
      await until('the same host writing again', () => w.acked.length >= beforeResume + 50);
      await w.finish();
      expect(w.errors.map((e) => e.code)).to.include('MODHOST_DATABASE_TIMEOUT');
      const timeout = w.errors.find((e) => e.code === 'MODHOST_DATABASE_TIMEOUT')!;
      expect(timeout.message).to.include('database.query_timeout (1000 ms)');
      await assertDurable(w.acked);
    });
  });
});
