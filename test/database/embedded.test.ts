import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { freshDataDir } from '../helpers/pglite-template.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Module } from '../../decorators/index.js';
import { ModuleDatabase } from '../../src/index.js';
import { createTestHost } from '../../src/testing/index.js';
import { moduleDatabaseSuite } from './module-database.suite.js';

describe('database: embedded engine (PGlite)', function () {
  // The run's first fresh directory runs PGlite's initdb, for the template (seconds under load).
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await freshDataDir('modhost-db-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  moduleDatabaseSuite({ engine: 'embedded', database: () => ({ path: dir }) });

  it('gives every createTestHost a fresh database, in memory', async () => {
    @Module({ name: 'fresh' })
    class Fresh {
      constructor(readonly db: ModuleDatabase) {}
    }
    for (let round = 0; round < 2; round++) {
      const h = await createTestHost({ modules: [{ module: Fresh }] });
      try {
        const { db } = h.module(Fresh);
        // Would fail on the second round if the first host's table were still there.
        await db.query('create table t (v int)');
        await db.query('insert into t values ($1)', [round]);
        expect((await db.query('select v from t')).rows).to.deep.equal([{ v: round }]);
      } finally {
        await h.stop();
      }
    }
  });

  it('refuses a data directory another live process holds', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'modhost-db-lock-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(other, 'modhost.lock'), String(process.ppid));
    @Module({ name: 'locked' })
    class Locked {
      constructor(readonly db: ModuleDatabase) {}
    }
    const h = await createTestHost({ modules: [{ module: Locked }], database: { path: other } });
    try {
      const err = await h
        .module(Locked)
        .db.query('select 1')
        .then(
          () => undefined,
          (e: unknown) => e as { code: string; message: string },
        );
      expect(err?.code).to.equal('MODHOST_DATABASE_IN_USE');
      expect(err?.message)
        .to.include(`in use by process ${process.ppid}`)
        .and.include('database.url');
    } finally {
      await h.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
