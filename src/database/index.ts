/** The database service's public face: a SQL namespace per module (docs/database.md). */
export {
  ModuleDatabase,
  type Migration,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
  type IsolationLevel,
} from './types.js';
export { DatabaseError } from '../errors/database-messages.js';
