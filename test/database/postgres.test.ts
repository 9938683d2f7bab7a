import { PostgresServer, requirePostgres } from '../helpers/postgres-server.js';
import { moduleDatabaseSuite } from './module-database.suite.js';

describe('database: PostgreSQL (node-postgres)', function () {
  this.timeout(60_000);
  let pg: PostgresServer;
  before(async function () {
    requirePostgres(this);
    pg = await PostgresServer.start();
  });
  after(async () => pg?.destroy());

  moduleDatabaseSuite({ engine: 'postgres', database: () => ({ url: pg.url, pool_size: 4 }) });
});
