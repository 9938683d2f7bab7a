/**
 * Namespaces are PostgreSQL schemas: `mod_<module>` for a module, `host_<name>` for what the
 * host application keeps, `modhost` for the host's own bookkeeping (applied migrations). Names
 * are plain lower-case identifiers, so they need no quoting in a search_path option.
 */
import { databaseErrors } from '../errors/database-messages.js';

const MAX_IDENT = 63;

/** `account_validity` → `mod_account_validity`; anything but [a-z0-9_] becomes `_`. */
export function schemaFor(kind: 'mod' | 'host', name: string, prefix = ''): string {
  if (name === '') throw databaseErrors.namespaceInvalid(name, 'the name is empty');
  const schema = `${prefix}${kind}_${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  if (Buffer.byteLength(schema) > MAX_IDENT)
    throw databaseErrors.namespaceInvalid(
      name,
      `its schema name ${schema} is longer than PostgreSQL's ${MAX_IDENT} bytes; choose a shorter name`,
    );
  return schema;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
