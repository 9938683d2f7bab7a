/**
 * The host's database service (Backstage's DatabaseService): from `database:` config, one
 * engine for the whole host, opened lazily; from it, one namespace per module (`mod_<name>`)
 * and per host-application namespace (`host_<name>`).
 *
 * `path: ':memory:'` (what createTestHost uses) shares one in-memory PGlite across the process
 * and gives each service a prefix of its own (`t7_mod_hello`), dropped at close: every test host
 * starts from an empty database without paying PGlite's start (about a second) each time.
 */
import path from 'node:path';
import type { DatabaseConfig } from '../config/types.js';
import { databaseErrors } from '../errors/database-messages.js';
import type { Logger } from '../logging/logger.js';
import { EmbeddedEngine } from './embedded-engine.js';
import type { DatabaseEngine } from './engine.js';
import { applyMigrations } from './migrations.js';
import { NamespacedDatabase, type NamespaceHost } from './namespaced-database.js';
import { quoteIdent, schemaFor } from './schema-names.js';
import type { Migration, ModuleDatabase } from './types.js';

export const IN_MEMORY = ':memory:';

let sharedMemoryEngine: Promise<EmbeddedEngine> | undefined;
let memoryServices = 0;

export class DatabaseService implements NamespaceHost {
  readonly kind: 'embedded' | 'postgres';
  private engine?: Promise<DatabaseEngine>;
  private readonly prefix: string;
  private readonly owners = new Map<string, string>();
  private readonly ensured = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly config: DatabaseConfig,
    private readonly options: { baseDir: string; logger: Logger },
  ) {
    this.kind = config.url ? 'postgres' : 'embedded';
    this.prefix = this.inMemory ? `t${++memoryServices}_` : '';
  }

  private get inMemory(): boolean {
    return !this.config.url && this.config.path === IN_MEMORY;
  }

  /** The embedded engine's directory (absolute), when it is the engine in use. */
  get dataDir(): string | undefined {
    if (this.config.url || this.inMemory) return undefined;
    return path.resolve(this.options.baseDir, this.config.path);
  }

  /** Where the data lives, for logs and `modhost check`; never holds a password. */
  describe(): string {
    if (this.config.url) {
      const url = new URL(this.config.url);
      return `PostgreSQL at ${url.host}${url.pathname}`;
    }
    return this.inMemory ? 'embedded (in memory)' : `embedded at ${this.dataDir}`;
  }

  /** A module's database (`api.database`). */
  forModule(moduleName: string): ModuleDatabase {
    return this.namespace(schemaFor('mod', moduleName, this.prefix), `module ${moduleName}`);
  }

  /** A namespace of the host application's own (the demo host keeps accounts and rooms here). */
  forHost(name: string): ModuleDatabase {
    return this.namespace(schemaFor('host', name, this.prefix), `host namespace ${name}`);
  }

  async ready(schema: string): Promise<DatabaseEngine> {
    const engine = await this.open();
    let ensured = this.ensured.get(schema);
    if (!ensured) {
      ensured = applyMigrations(engine, schema, this.metaSchema, this.owners.get(schema)!, []).then(
        () => undefined,
      );
      this.ensured.set(schema, ensured);
      ensured.catch(() => this.ensured.delete(schema));
    }
    await ensured;
    return engine;
  }

  async migrate(
    schema: string,
    owner: string,
    migrations: readonly Migration[],
  ): Promise<string[]> {
    const engine = await this.open();
    const applied = await applyMigrations(engine, schema, this.metaSchema, owner, migrations);
    this.ensured.set(schema, Promise.resolve());
    if (applied.length > 0)
      this.options.logger.info({ schema, applied }, 'database migrations applied');
    return applied;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = this.engine;
    if (!opened) return;
    const engine = await opened.catch(() => undefined);
    if (!engine) return;
    if (this.inMemory) {
      // The shared engine stays; this host's schemas go.
      const schemas = [...this.owners.keys(), this.metaSchema].map(quoteIdent).join(', ');
      await engine
        .query('public', `drop schema if exists ${schemas} cascade`)
        .catch(() => undefined);
      return;
    }
    await engine.close();
  }

  private get metaSchema(): string {
    return `${this.prefix}modhost`;
  }

  private namespace(schema: string, owner: string): ModuleDatabase {
    const taken = this.owners.get(schema);
    if (taken !== undefined && taken !== owner)
      throw databaseErrors.namespaceInvalid(
        owner,
        `its schema ${schema} is already ${taken}'s; rename one of them`,
      );
    this.owners.set(schema, owner);
    return new NamespacedDatabase(schema, owner, this);
  }

  private open(): Promise<DatabaseEngine> {
    if (this.closed) return Promise.reject(databaseErrors.closed(this.describe()));
    this.engine ??= this.openEngine();
    return this.engine;
  }

  private async openEngine(): Promise<DatabaseEngine> {
    const { config } = this;
    const timeout = config.query_timeout;
    let engine: DatabaseEngine;
    if (config.url) {
      const { PostgresEngine } = await import('./postgres-engine.js');
      engine = await PostgresEngine.open({ ...config, url: config.url }, this.options.logger);
    } else if (this.inMemory) {
      sharedMemoryEngine ??= EmbeddedEngine.open({ dir: IN_MEMORY, lockTimeoutMs: timeout });
      engine = await sharedMemoryEngine;
    } else {
      engine = await EmbeddedEngine.open({ dir: this.dataDir!, lockTimeoutMs: timeout });
    }
    this.options.logger.info({ database: engine.description }, 'database opened');
    return engine;
  }
}
