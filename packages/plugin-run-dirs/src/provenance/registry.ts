// The fleet-wide registry of runs and their migrations (the seed's "migrations table" in the Flask DB), in
// PostgreSQL through knex. The table is created by a knex migration with its own bookkeeping table, so it
// never mixes with the host app's own knex migrations. Optional: without a registry everything still works.
import { createError, describeError, redact } from '@tidemark/core';
import type { Knex } from 'knex';

export interface RegistryRow {
  runid: string;
  config: string;
  local_path: string;
  source_host?: string | null;
  original_url?: string | null;
  pulled_at?: string | Date | null;
  owner_email?: string | null;
  version_at_pull?: number | null;
  traits_detected?: unknown[];
  last_migration_version?: number | null;
  last_status?: string | null;
  archive_before?: string | null;
  archive_after?: string | null;
  is_fixture?: boolean;
}

export interface StoredRegistryRow extends Required<Omit<RegistryRow, 'pulled_at'>> {
  id: number;
  pulled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface RegistryOptions {
  /** A knex instance (kept open; yours) or a PostgreSQL connection string (opened and closed here). */
  knex: Knex | string;
  /** Default `run_migrations`. */
  table?: string;
  /** PostgreSQL schema; default the connection's search_path. */
  schema?: string;
}

export interface RunRegistry {
  readonly table: string;
  /** Creates/updates the table (knex migrations, idempotent). */
  migrate(): Promise<void>;
  upsert(row: RegistryRow): Promise<StoredRegistryRow>;
  get(runid: string, config?: string): Promise<StoredRegistryRow | undefined>;
  list(): Promise<StoredRegistryRow[]>;
  close(): Promise<void>;
}

function migrations(table: string, schema: string | undefined): Knex.MigrationSource<string> {
  const steps: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
    '001_run_migrations': {
      async up(k) {
        const s = schema ? k.schema.withSchema(schema) : k.schema;
        await s.createTable(table, (t) => {
          t.increments('id').primary();
          t.string('runid', 255).notNullable();
          t.string('config', 255).notNullable().defaultTo('');
          t.text('local_path').notNullable();
          t.string('source_host', 255).nullable();
          t.text('original_url').nullable();
          t.timestamp('pulled_at', { useTz: true }).nullable();
          t.string('owner_email', 255).nullable();
          t.integer('version_at_pull').nullable();
          t.jsonb('traits_detected').notNullable().defaultTo('[]');
          t.integer('last_migration_version').nullable();
          t.string('last_status', 32).nullable();
          t.text('archive_before').nullable();
          t.text('archive_after').nullable();
          t.boolean('is_fixture').notNullable().defaultTo(false);
          t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
          t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
          t.unique(['runid', 'config']);
          t.index(['last_status']);
        });
      },
      async down(k) {
        await (schema ? k.schema.withSchema(schema) : k.schema).dropTableIfExists(table);
      },
    },
  };
  return {
    getMigrations: async () => Object.keys(steps).sort(),
    getMigrationName: (name) => name,
    getMigration: async (name) => steps[name]!,
  };
}

export async function openRegistry(options: RegistryOptions): Promise<RunRegistry> {
  const table = options.table ?? 'run_migrations';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
    throw createError('plugin-run-dirs', `registry table name "${table}" is not a plain identifier`);
  let db: Knex;
  let owned = false;
  if (typeof options.knex === 'string') {
    const url = options.knex;
    try {
      const { default: knex } = await import('knex');
      db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
      owned = true;
    } catch (error) {
      throw createError(
        'plugin-run-dirs',
        `a registry URL (${redact(url)}) was given but knex/pg could not be loaded: ${describeError(error)}`,
      );
    }
  } else {
    db = options.knex;
  }
  const from = () => (options.schema ? db(table).withSchema(options.schema) : db(table));
  const normalize = (row: Record<string, unknown>) => row as unknown as StoredRegistryRow;
  return {
    table,
    async migrate() {
      await db.migrate.latest({
        migrationSource: migrations(table, options.schema),
        tableName: `${table}_knex_migrations`,
        ...(options.schema ? { schemaName: options.schema } : {}),
      });
    },
    async upsert(row) {
      const values = {
        ...row,
        traits_detected: JSON.stringify(row.traits_detected ?? []),
        updated_at: db.fn.now(),
      };
      // Provenance columns only ever fill in (an import knows them, a later migration run does not).
      const keep = ['source_host', 'original_url', 'pulled_at', 'owner_email', 'version_at_pull'] as const;
      const merge: Record<string, unknown> = { ...values };
      delete merge.runid;
      delete merge.config;
      for (const column of keep) {
        if (row[column] === undefined || row[column] === null) delete merge[column];
      }
      if (row.is_fixture === undefined) delete merge.is_fixture;
      const [stored] = (await from()
        .insert(values)
        .onConflict(['runid', 'config'])
        .merge(merge)
        .returning('*')) as Record<string, unknown>[];
      return normalize(stored!);
    },
    async get(runid, config = '') {
      const row = (await from().where({ runid, config }).first()) as Record<string, unknown> | undefined;
      return row ? normalize(row) : undefined;
    },
    async list() {
      return ((await from().select('*').orderBy('id')) as Record<string, unknown>[]).map(normalize);
    },
    async close() {
      if (owned) await db.destroy();
    },
  };
}
