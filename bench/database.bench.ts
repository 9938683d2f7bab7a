/**
 * Database benchmark: a module's single-row read and write through `api.database` against the
 * same statement on the bare driver, on both engines (budget: >= 0.90x the bare driver's
 * operations/s). Embedded: the bare side is its own in-memory PGlite, the module's another (so
 * neither warms the other's caches). PostgreSQL: a server this script starts (Debian's
 * postgresql package; skipped when missing), the bare side a node-postgres Pool of the same size
 * with the same search_path. Each op is awaited before the next (single-row latency). Tasks run
 * in interleaved rounds with alternating order; the figure is the median of per-round ratios.
 * Env: DB_BENCH_ROUNDS (default 7), DB_BENCH_MS per task per round (default 400).
 */
import 'reflect-metadata';
import { Module } from '../decorators/index.js';
import { ModuleDatabase } from '../src/index.js';
import { createTestHost, type TestHost } from '../src/testing/index.js';
import { PostgresServer } from '../test/helpers/postgres-server.js';
import { median } from './cache/report.js';

const ROUNDS = Number(process.env.DB_BENCH_ROUNDS ?? 7);
const TIME = Number(process.env.DB_BENCH_MS ?? 400);
const READ = 'select v from kv where k = $1';
const WRITE = 'update kv set v = $2 where k = $1';
const SETUP = `create table if not exists kv (k text primary key, v text not null);
  insert into kv values ('a', '0') on conflict (k) do nothing`;

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

@Module({ name: 'bench' })
class BenchModule {
  static migrations = [{ id: '001_kv', up: SETUP }];
  constructor(readonly db: ModuleDatabase) {}
}

async function opsPerSecond(op: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < TIME) {
    for (let i = 0; i < 50; i++) await op();
    n += 50;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

async function compare(engine: string, moduleQuery: Query, bareQuery: Query): Promise<boolean> {
  let ok = true;
  for (const [what, sql, params] of [
    ['read', READ, () => ['a']],
    ['write', WRITE, () => ['a', String(Math.random())]],
  ] as const) {
    const ratios: number[] = [];
    let lastModule = 0;
    let lastBare = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const runModule = () => opsPerSecond(() => moduleQuery(sql, params()));
      const runBare = () => opsPerSecond(() => bareQuery(sql, params()));
      if (round % 2 === 0) {
        lastModule = await runModule();
        lastBare = await runBare();
      } else {
        lastBare = await runBare();
        lastModule = await runModule();
      }
      ratios.push(lastModule / lastBare);
    }
    const ratio = median(ratios);
    const pass = ratio >= 0.9;
    ok &&= pass;
    process.stdout.write(
      `${`${engine}: single-row ${what} via api.database vs bare driver`.padEnd(62)} ` +
        `${ratio.toFixed(3)}x ops/s  (budget >= 0.90x)  ${pass ? 'PASS' : 'FAIL'}   ` +
        `last round ${Math.round(lastModule)} vs ${Math.round(lastBare)} ops/s\n`,
    );
  }
  return ok;
}

async function moduleSide(
  database: Record<string, unknown>,
): Promise<{ host: TestHost; query: Query }> {
  const host = await createTestHost({ modules: [{ module: BenchModule }], database });
  const { db } = host.module(BenchModule);
  return { host, query: (sql, params) => db.query(sql, params) };
}

async function embedded(): Promise<boolean> {
  const { PGlite } = await import('@electric-sql/pglite');
  const bare = await PGlite.create();
  await bare.exec(SETUP);
  const { host, query } = await moduleSide({ path: ':memory:' });
  try {
    return await compare('embedded (PGlite)', query, (sql, params) => bare.query(sql, params));
  } finally {
    await host.stop();
    await bare.close();
  }
}

async function postgres(): Promise<boolean> {
  let server: PostgresServer;
  try {
    server = await PostgresServer.start();
  } catch (err) {
    process.stdout.write(`PostgreSQL: skipped (${(err as Error).message.split('\n')[0]})\n`);
    return true;
  }
  const pg = (await import('pg')).default;
  const { host, query } = await moduleSide({ url: server.url, pool_size: 10 });
  // The module's schema exists now (migrated at start); the bare pool uses it the same way.
  const schema = host.module(BenchModule).db.schema;
  const pool = new pg.Pool({
    connectionString: server.url,
    max: 10,
    options: `-c search_path=${schema}`,
  });
  try {
    return await compare('PostgreSQL (node-postgres)', query, (sql, params) =>
      pool.query(sql, params),
    );
  } finally {
    await pool.end();
    await host.stop();
    await server.destroy();
  }
}

// Verdicts are printed per line; both engines run whatever the first one's verdict.
await embedded();
await postgres();
process.exit(0);
