/**
 * Applying a namespace's migrations: in one transaction under one advisory lock, so across
 * every instance sharing the database exactly one applies them and a failure leaves nothing
 * behind. Applied ids are recorded in `modhost.migrations`, outside the module's schema.
 */
import { databaseErrors } from '../errors/database-messages.js';
import type { DatabaseEngine, EngineSession } from './engine.js';
import { quoteIdent } from './schema-names.js';
import type { Migration, Queryable } from './types.js';

/** pg_advisory_xact_lock key: "modhost" in ASCII. */
const LOCK_KEY = '30787318322983796';

/** Checks the shape of a declared list, naming the first bad entry. */
export function checkMigrations(owner: string, migrations: unknown): readonly Migration[] {
  if (!Array.isArray(migrations))
    throw databaseErrors.migrationsInvalid(
      owner,
      'must be a list of { id, up } (static migrations = [...])',
    );
  const seen = new Set<string>();
  migrations.forEach((m: unknown, i) => {
    const entry = m as Partial<Migration> | null;
    if (typeof entry?.id !== 'string' || entry.id.trim() === '')
      throw databaseErrors.migrationsInvalid(
        owner,
        `[${i}] has no id (a non-empty string such as '001_create_users')`,
      );
    if (typeof entry.up !== 'string' && typeof entry.up !== 'function')
      throw databaseErrors.migrationsInvalid(
        owner,
        `[${i}] "${entry.id}" has no up (SQL text or an async function of tx)`,
      );
    if (seen.has(entry.id))
      throw databaseErrors.migrationsInvalid(
        owner,
        `[${i}] repeats the id "${entry.id}"; ids must be unique`,
      );
    seen.add(entry.id);
  });
  return migrations as Migration[];
}

/** Creates the schema if needed and applies what is pending; returns the ids applied now. */
export function applyMigrations(
  engine: DatabaseEngine,
  schema: string,
  metaSchema: string,
  owner: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  const meta = quoteIdent(metaSchema);
  return engine.session(schema, async (s, phase) => {
    await s.query('begin');
    try {
      await s.query('select pg_advisory_xact_lock($1::bigint)', [LOCK_KEY]);
      await s.exec(
        `create schema if not exists ${meta};
         create table if not exists ${meta}.migrations (
           namespace text not null, id text not null, position integer not null,
           applied_at timestamptz not null default now(), primary key (namespace, id));
         create schema if not exists ${quoteIdent(schema)}`,
      );
      const applied = (
        await s.query(`select id from ${meta}.migrations where namespace = $1 order by position`, [
          schema,
        ])
      ).rows.map((r: { id: string }) => r.id);
      const pending = pendingMigrations(owner, schema, migrations, applied);
      const tx: Queryable = { query: (sql, params) => s.query(sql, params) };
      const done: string[] = [];
      for (const m of pending) {
        const index = migrations.indexOf(m);
        try {
          if (typeof m.up === 'string') await s.exec(m.up);
          else await m.up(tx);
        } catch (err) {
          throw databaseErrors.migrationFailed(
            schema,
            owner,
            index,
            m.id,
            typeof m.up === 'string' ? m.up : undefined,
            (err as { cause?: unknown }).cause ?? err,
          );
        }
        // A migration may have moved the search_path; the next one starts from the schema again.
        await s.exec(`set search_path to ${quoteIdent(schema)}`);
        await s.query(
          `insert into ${meta}.migrations (namespace, id, position) values ($1, $2, $3)`,
          [schema, m.id, index],
        );
        done.push(m.id);
      }
      phase.committing = true;
      await s.query('commit');
      return done;
    } catch (err) {
      if (!phase.committing) await rollback(s);
      throw err;
    }
  });
}

async function rollback(s: EngineSession): Promise<void> {
  await s.query('rollback').catch(() => undefined);
}

/** Applied ids must be exactly a prefix of the declared ones: append-only, as Knex and Flyway. */
function pendingMigrations(
  owner: string,
  schema: string,
  declared: readonly Migration[],
  applied: readonly string[],
): readonly Migration[] {
  const ids = new Set(declared.map((m) => m.id));
  const unknown = applied.filter((id) => !ids.has(id));
  if (unknown.length > 0) throw databaseErrors.appliedUnknown(owner, schema, unknown);
  const appliedSet = new Set(applied);
  let firstPending = -1;
  declared.forEach((m, i) => {
    if (appliedSet.has(m.id)) {
      if (firstPending !== -1)
        throw databaseErrors.appliedOutOfOrder(owner, schema, declared[firstPending]!.id, m.id);
    } else if (firstPending === -1) firstPending = i;
  });
  return firstPending === -1 ? [] : declared.slice(firstPending);
}
