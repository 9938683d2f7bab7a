/** The database service: a SQL namespace per module on PGlite or PostgreSQL (docs/database.md). */
export {
  ModuleDatabase,
  type Migration,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
  type IsolationLevel,
} from './types.js';
export { DatabaseService } from './database-service.js';
