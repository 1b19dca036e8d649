// Harnesses for @tidemark/testing's describeGolden / describeLaws on an app's own schema. Each target is a
// new, empty database on the server (or file) the app's client points at; its state is every table of it
// but the ledger's, so an app's own column shows in a golden `after/`.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Migration } from '@tidemark/core';
import type { PluginHarness } from '@tidemark/testing';
import fc, { type Arbitrary } from 'fast-check';
import type { Knex } from 'knex';
import type { DataSource, DataSourceOptions } from 'typeorm';
import {
  loadSchemaState,
  readSchemaState,
  readSchemaStateSync,
  writeSchemaState,
  type CaptureOptions,
  type SchemaState,
} from '../capture.js';
import { sqlError } from '../errors.js';
import { knexExecutor, typeormExecutor } from '../executor.js';
import { knexPlugin, typeormPlugin } from '../plugin.js';
import { listBefores } from './befores.js';

export type { SchemaState, TableState } from '../capture.js';

export interface SqlHarnessOptions<T> {
  /** The app's configured client: new test databases are made on its server with its settings. */
  target: T;
  /** The app's migrations (as given to knexPlugin / typeormPlugin). */
  migrations: readonly Migration<T>[];
  ledgerTable?: string;
  /** Which tables the state holds (default: every table but the ledger's). */
  capture?: CaptureOptions;
  /** Legacy states for the laws. Default: the `before/` of every golden case under `fixturesDir`. */
  arbitrary?: Arbitrary<SchemaState>;
  /** Golden cases folder, read for the default arbitrary. Default `fixtures/<name>` under the working directory. */
  fixturesDir?: string;
  /** The plugin's name (its fixtures folder). Default 'knex' / 'typeorm', as knexPlugin / typeormPlugin. */
  name?: string;
  /** Default: true when every migration has a `down`. */
  reversible?: boolean;
}

const ledgerTables = (table?: string) => (table ? [table, `${table}_checkpoints`, `${table}_lock`] : []);

const fresh = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

function defaultArbitrary(
  options: { arbitrary?: Arbitrary<SchemaState>; fixturesDir?: string },
  name: string,
): Arbitrary<SchemaState> {
  if (options.arbitrary) return options.arbitrary;
  const befores = listBefores(options.fixturesDir ?? join(process.cwd(), 'fixtures', name)).map(readSchemaStateSync);
  return befores.length > 0 ? fc.constantFrom(...befores) : fc.constant({});
}

function isReversible<T>(migrations: readonly Migration<T>[], given?: boolean): boolean {
  return given ?? migrations.every((m) => typeof m.down === 'function');
}

// ------------------------------------------------------------------------------------------------- knex

interface KnexConfigured {
  client: unknown;
  connection?: unknown;
  [key: string]: unknown;
}

/** A harness on the app's Knex (pg: a new database per target on the same server; sqlite: a temp file). */
export function knexHarness(options: SqlHarnessOptions<Knex>): PluginHarness<Knex, SchemaState> {
  const base = options.target;
  const config = (base.client as { config: KnexConfigured }).config;
  const dialect = knexExecutor(base).dialect;
  const made = new WeakMap<Knex, { database: string; kind: 'pg' | 'file' }>();
  const plugin = knexPlugin({
    migrations: options.migrations,
    ...(options.ledgerTable ? { ledgerTable: options.ledgerTable } : {}),
    ...(options.name ? { name: options.name } : {}),
  });
  const open = async (database: string): Promise<Knex> => {
    const { default: knexFactory } = await import('knex');
    const connection = config.connection;
    if (dialect === 'postgres') {
      const c = connection as { connectionString?: string } | string;
      // pg lets a connectionString's database win over `database`: replace it there too.
      const next =
        typeof c === 'string'
          ? withDatabase(c, database)
          : {
              ...c,
              database,
              ...(c.connectionString ? { connectionString: withDatabase(c.connectionString, database) } : {}),
            };
      return knexFactory({ ...(config as Knex.Config), connection: next as Knex.StaticConnectionConfig });
    }
    return knexFactory({ ...(config as Knex.Config), connection: { filename: database }, useNullAsDefault: true });
  };
  return {
    plugin,
    async create(state) {
      let database: string;
      if (dialect === 'postgres') {
        database = fresh('tdm_test');
        await base.raw(`CREATE DATABASE ${database}`);
      } else {
        database = join(tmpdir(), `${fresh('tdm-test')}.sqlite`);
      }
      const knex = await open(database);
      made.set(knex, { database, kind: dialect === 'postgres' ? 'pg' : 'file' });
      await loadSchemaState(knexExecutor(knex), state);
      return knex;
    },
    read: (knex) =>
      readSchemaState(knexExecutor(knex), {
        ...options.capture,
        exclude: [...(options.capture?.exclude ?? []), ...ledgerTables(options.ledgerTable)],
      }),
    async dispose(knex) {
      await knex.destroy();
      const m = made.get(knex);
      if (m?.kind === 'pg') await base.raw(`DROP DATABASE IF EXISTS ${m.database} WITH (FORCE)`);
      if (m?.kind === 'file') rmSync(m.database, { force: true });
    },
    async attach(knex) {
      const m = made.get(knex);
      if (!m) throw sqlError('INVALID_DEFINITION', 'knexHarness.attach: not a target this harness created');
      return open(m.database);
    },
    detach: (knex) => knex.destroy(),
    fixture: { load: async (dir) => readSchemaStateSync(dir), write: writeSchemaState },
    arbitrary: defaultArbitrary(options, plugin.name),
    reversible: isReversible(options.migrations, options.reversible),
    atomicity: 'step',
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------- typeorm

/** A harness on the app's DataSource (postgres: a new database per target; sqljs: in memory; sqlite: a temp file). */
export function typeormHarness(options: SqlHarnessOptions<DataSource>): PluginHarness<DataSource, SchemaState> {
  const base = options.target;
  const type = base.options.type;
  const made = new WeakMap<DataSource, { database: string; kind: 'pg' | 'file' | 'memory' }>();
  const plugin = typeormPlugin({
    migrations: options.migrations,
    ...(options.ledgerTable ? { ledgerTable: options.ledgerTable } : {}),
    ...(options.name ? { name: options.name } : {}),
  });
  const Source = base.constructor as new (o: DataSourceOptions) => DataSource;
  const open = async (database: string, kind: 'pg' | 'file' | 'memory'): Promise<DataSource> => {
    // The app's entities stay, but never synchronize or run TypeORM's own migrations on a test database.
    const common = { synchronize: false, migrationsRun: false, dropSchema: false, logging: false };
    const o = base.options as DataSourceOptions & { url?: string };
    let next: DataSourceOptions;
    if (kind === 'pg')
      next = {
        ...o,
        ...common,
        database,
        ...(o.url ? { url: withDatabase(o.url, database) } : {}),
      } as DataSourceOptions;
    else if (kind === 'memory')
      next = {
        ...o,
        ...common,
        database: undefined,
        location: undefined,
        autoSave: false,
      } as unknown as DataSourceOptions;
    else next = { ...o, ...common, database } as DataSourceOptions;
    return new Source(next).initialize();
  };
  const kind: 'pg' | 'file' | 'memory' = type === 'postgres' ? 'pg' : type === 'sqljs' ? 'memory' : 'file';
  if (!['postgres', 'sqljs', 'sqlite', 'better-sqlite3'].includes(type))
    throw sqlError('NOT_SUPPORTED', `typeormHarness: DataSource type "${type}" is not supported`);
  return {
    plugin,
    async create(state) {
      const database =
        kind === 'pg'
          ? fresh('tdm_test')
          : kind === 'file'
            ? join(tmpdir(), `${fresh('tdm-test')}.sqlite`)
            : fresh('memory');
      if (kind === 'pg') await base.query(`CREATE DATABASE ${database}`);
      const ds = await open(database, kind);
      made.set(ds, { database, kind });
      await loadSchemaState(typeormExecutor(ds), state);
      return ds;
    },
    read: (ds) =>
      readSchemaState(typeormExecutor(ds), {
        ...options.capture,
        exclude: [...(options.capture?.exclude ?? []), ...ledgerTables(options.ledgerTable)],
      }),
    async dispose(ds) {
      if (ds.isInitialized) await ds.destroy();
      const m = made.get(ds);
      if (m?.kind === 'pg') await base.query(`DROP DATABASE IF EXISTS ${m.database} WITH (FORCE)`);
      if (m?.kind === 'file') rmSync(m.database, { force: true });
    },
    // sql.js keeps its database in one process' memory: a second handle would be another database.
    ...(kind === 'memory'
      ? {}
      : {
          async attach(ds: DataSource) {
            const m = made.get(ds);
            if (!m) throw sqlError('INVALID_DEFINITION', 'typeormHarness.attach: not a target this harness created');
            return open(m.database, m.kind);
          },
          async detach(ds: DataSource) {
            if (ds.isInitialized) await ds.destroy();
          },
        }),
    fixture: { load: async (dir) => readSchemaStateSync(dir), write: writeSchemaState },
    arbitrary: defaultArbitrary(options, plugin.name),
    reversible: isReversible(options.migrations, options.reversible),
    atomicity: 'step',
  };
}
