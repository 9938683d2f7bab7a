/**
 * The module database suite, run unchanged against both engines (embedded.test.ts,
 * postgres.test.ts): the same modules, the same SQL, the same expectations. `database()` gives
 * the `database:` config of one database that every host of a test shares.
 */
import { expect } from 'chai';
import { Module } from '../../decorators/index.js';
import { DatabaseError, ModuleApi, ModuleDatabase, type Migration } from '../../src/index.js';
import { createTestHost, type TestHost } from '../../src/testing/index.js';
import { rejectionOf } from '../helpers/rejection.js';

export interface SuiteEngine {
  engine: 'embedded' | 'postgres';
  database(): Record<string, unknown>;
}

let serial = 0;

/** A module class named `${base}_${n}`, unique per call, holding its api and injected db. */
function moduleClass(base: string, migrations?: Migration[]) {
  const name = `${base}_${++serial}`;
  @Module({ name })
  class M {
    static migrations = migrations;
    constructor(
      readonly api: ModuleApi,
      readonly db: ModuleDatabase,
    ) {}
  }
  return M;
}

export function moduleDatabaseSuite(e: SuiteEngine): void {
  const hosts: TestHost[] = [];
  const host = async (modules: Function[], start = true) => {
    const h = await createTestHost({
      modules: modules.map((m) => ({ module: m as never })),
      database: e.database(),
      start,
    });
    hosts.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.stop();
  });

  it('runs parameterised statements in the module namespace, injected by type and at api.database', async () => {
    const Notes = moduleClass('notes');
    const h = await host([Notes]);
    const m = h.module(Notes);
    expect(m.db).to.equal(m.api.database);
    expect(m.db.engine).to.equal(e.engine);
    await m.db.query(
      'create table notes (id bigint primary key, body text not null, seen boolean)',
    );
    const inserted = await m.db.query(
      'insert into notes values ($1, $2, $3), ($4, $5, $6) returning id',
      [1, "it's; drop table notes --", true, 2, 'two', null],
    );
    expect(inserted.rowCount).to.equal(2);
    const { rows } = await m.db.query<{ id: string; body: string; seen: boolean | null }>(
      'select id, body, seen from notes where id = $1',
      [1],
    );
    // One result shape on both engines: int8 as a string, as node-postgres gives it.
    expect(rows).to.deep.equal([{ id: '1', body: "it's; drop table notes --", seen: true }]);
    const schema = await m.db.query<{ s: string }>('select current_schema() as s');
    expect(schema.rows[0]!.s).to.equal(m.db.schema);
    expect(m.db.schema).to.match(/(^|_)mod_notes_\d+$/);
  });

  it("keeps a module out of another module's tables", async () => {
    const A = moduleClass('iso_a');
    const B = moduleClass('iso_b');
    const h = await host([A, B]);
    const a = h.module(A).db;
    const b = h.module(B).db;
    await a.query('create table secrets (v text)');
    await a.query("insert into secrets values ('a-only')");
    const err = await rejectionOf(b.query('select * from secrets'));
    expect(err).to.be.instanceOf(DatabaseError);
    expect(err.code).to.equal('MODHOST_DATABASE_QUERY_FAILED');
    expect(err.sqlState).to.equal('42P01');
    expect(err.message).to.include(b.schema);
    // The same table name in B is B's own.
    await b.query('create table secrets (v text)');
    expect((await b.query('select * from secrets')).rows).to.deep.equal([]);
    expect((await a.query('select v from secrets')).rows).to.deep.equal([{ v: 'a-only' }]);
    // The host application's namespace is apart from both.
    const app = h.database('app');
    await app.query('create table secrets (v text)');
    expect((await app.query('select * from secrets')).rows).to.deep.equal([]);
  });

  it('commits a transaction body that resolves and rolls back one that throws', async () => {
    const T = moduleClass('tx');
    const h = await host([T]);
    const db = h.module(T).db;
    await db.query('create table t (k text primary key, n integer not null)');
    const value = await db.transaction(async (tx) => {
      await tx.query("insert into t values ('a', 1)");
      await tx.query("insert into t values ('b', 2)");
      return 'done';
    });
    expect(value).to.equal('done');
    const boom = new Error('boom');
    const err = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.query("update t set n = 100 where k = 'a'");
        await tx.query("insert into t values ('c', 3)");
        throw boom;
      }),
    );
    expect(err).to.equal(boom);
    const rows = (await db.query('select k, n from t order by k')).rows;
    expect(rows).to.deep.equal([
      { k: 'a', n: 1 },
      { k: 'b', n: 2 },
    ]);
    // A failing statement rolls back the whole body too, with the SQLSTATE kept.
    const dup = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.query("insert into t values ('d', 4)");
        await tx.query("insert into t values ('a', 5)");
      }),
    );
    expect(dup.sqlState).to.equal('23505');
    expect(
      (await db.query("select count(*)::int as c from t where k = 'd'")).rows[0],
    ).to.deep.equal({ c: 0 });
    // A transaction handle used after its body ended is refused.
    let leaked: { query(sql: string): Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    expect((await rejectionOf(leaked!.query('select 1'))).code).to.equal('MODHOST_DATABASE_MISUSE');
  });

  it('retries a serializable transaction that lost a serialisation conflict', async () => {
    const C = moduleClass('counter');
    const h = await host([C]);
    const db = h.module(C).db;
    await db.query('create table c (id int primary key, n int not null)');
    await db.query('insert into c values (1, 0)');
    let runs = 0;
    let reads = 0;
    const increment = () =>
      db.transaction(
        async (tx) => {
          runs += 1;
          const n = (await tx.query<{ n: number }>('select n from c where id = 1')).rows[0]!.n;
          reads += 1;
          // On PostgreSQL both read before either writes, so one of them must lose and retry;
          // the embedded engine runs one transaction at a time, so none conflicts.
          if (e.engine === 'postgres' && runs <= 2)
            for (let i = 0; i < 200 && reads < 2; i++) await new Promise((r) => setTimeout(r, 5));
          await tx.query('update c set n = $1 where id = 1', [n + 1]);
        },
        { isolation: 'serializable' },
      );
    await Promise.all([increment(), increment()]);
    expect((await db.query('select n from c')).rows).to.deep.equal([{ n: 2 }]);
    expect(runs).to.equal(e.engine === 'postgres' ? 3 : 2);
  });

  it('applies declared migrations in order at start, records them and runs each once', async () => {
    const migrations: Migration[] = [
      { id: '001_items', up: 'create table items (id serial primary key, name text not null);' },
      {
        id: '002_seed',
        up: async (tx) => {
          await tx.query("insert into items (name) values ('first')");
        },
      },
    ];
    const Items = moduleClass('items', migrations);
    let h = await host([Items]);
    expect((await h.module(Items).db.query('select name from items')).rows).to.deep.equal([
      { name: 'first' },
    ]);
    await h.stop();
    // Again, with one more: only the new one runs.
    migrations.push({ id: '003_more', up: "insert into items (name) values ('second')" });
    h = await host([Items]);
    const db = h.module(Items).db;
    expect((await db.query('select name from items order by id')).rows).to.deep.equal([
      { name: 'first' },
      { name: 'second' },
    ]);
    expect(await db.migrate(migrations)).to.deep.equal([]);
  });

  it('stops the start at a failed migration, says where, and leaves the database as it was', async () => {
    const good = { id: '001_ok', up: 'create table ok (v int)' };
    const Broken = moduleClass('broken', [
      good,
      { id: '002_typo', up: 'insert into ok values (1);\ncreate tabel oops (v int);' },
    ]);
    const h = await host([Broken], false);
    const err = await rejectionOf(h.start());
    expect(err.code).to.equal('MODHOST_DATABASE_MIGRATION_FAILED');
    expect(err.message).to.match(/^module broken_\d+: /);
    expect(err.message).to.include('migration 2 "002_typo" failed at line 2, column 8 of its SQL');
    expect(err.message).to.include('syntax error');
    expect(err.message).to.include('the database is as it was');
    // Neither migration of the failed batch is there: the fixed list applies both afresh.
    Broken.migrations = [good, { id: '002_typo', up: 'insert into ok values (1)' }];
    const fixed = await host([Broken]);
    expect((await fixed.module(Broken).db.query('select v from ok')).rows).to.deep.equal([
      { v: 1 },
    ]);
    // An applied migration that disappears from the list is refused, naming it.
    Broken.migrations = [good];
    await fixed.stop();
    const again = await host([Broken], false);
    const gone = await rejectionOf(again.start());
    expect(gone.code).to.equal('MODHOST_DATABASE_MIGRATION_FAILED');
    expect(gone.message).to.include('"002_typo"').and.include('no longer declares');
  });

  it('refuses migration lists of the wrong shape, naming the entry', async () => {
    const Bad = moduleClass('badlist', [
      { id: 'x', up: 'select 1' },
      { id: 'x', up: 'select 2' },
    ]);
    const h = await host([Bad], false);
    const err = await rejectionOf(h.start());
    expect(err.code).to.equal('MODHOST_DATABASE_MIGRATION_FAILED');
    expect(err.message).to.include('[1] repeats the id "x"');
  });
}
