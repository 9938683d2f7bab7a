/**
 * Where a module declares its migrations: a static `migrations` list on its class, run by the
 * host at start (before any onStart). Read here, so decorators stay metadata-only.
 *
 *   @Module({ name: 'notes' })
 *   export class Notes {
 *     static migrations: Migration[] = [{ id: '001_notes', up: 'create table notes (...)' }];
 *   }
 */
import type { Class } from '../../decorators/metadata.js';
import type { Migration } from './types.js';

export function declaredMigrations(cls: Class): readonly Migration[] | undefined {
  const value = (cls as unknown as { migrations?: unknown }).migrations;
  // checkMigrations (at migrate) reports a list of the wrong shape with the module's name.
  return value === undefined || value === null ? undefined : (value as readonly Migration[]);
}
