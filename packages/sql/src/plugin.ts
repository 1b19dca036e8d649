// Plugins for an app's own schema: the target is the app's Knex instance or its initialized TypeORM
// DataSource; the migrations are the app's. Each step is one transaction, and the ledger entry of a step is
// written through it, so a step and its record commit together.
import { definePlugin, redact, type Migration, type Plugin } from '@tidemark/core';
import type { Knex } from 'knex';
import type { DataSource, EntityManager } from 'typeorm';
import { readSchemaState, writeSchemaState, type CaptureOptions } from './capture.js';
import { knexExecutor, typeormExecutor, type SqlExecutor } from './executor.js';
import { checkIdentifier } from './identifier.js';
import { sqlLedger, type LockStrategy } from './ledger.js';
import { activeTransaction, knexStepTransaction, typeormStepTransaction } from './transaction.js';

export interface SqlPluginOptions<T> {
  /** The app's migrations, in id order. */
  migrations?: readonly Migration<T>[];
  /** Default `tidemark_knex_ledger` / `tidemark_typeorm_ledger`. */
  ledgerTable?: string;
  /** Default: 'advisory' on PostgreSQL, 'lease-row' on SQLite. */
  lock?: LockStrategy;
  /** Plugin name (also its fixtures folder). Default 'knex' / 'typeorm'. */
  name?: string;
  /** Tables `capture` writes (default: every table but the ledger's). */
  capture?: CaptureOptions;
}

/** Statements through the step transaction open on the target in this call chain, else through `base`. */
function routed(base: SqlExecutor, current: () => SqlExecutor | undefined): SqlExecutor {
  return {
    dialect: base.dialect,
    query: (sql, params) => (current() ?? base).query(sql, params),
    transaction: (fn) => (current() ?? base).transaction(fn),
    inTransaction: () => current() !== undefined || base.inTransaction(),
  };
}

function scaffold(kind: 'knex' | 'typeorm') {
  return ({ id, title, exportName }: { id: string; title: string; exportName: string }) => {
    const target = kind === 'knex' ? `import type { Knex } from 'knex';` : `import type { DataSource } from 'typeorm';`;
    const type = kind === 'knex' ? 'Knex' : 'DataSource';
    const run = kind === 'knex' ? 'await db.raw' : 'await db.query';
    return {
      migration: `${target}
import { defineMigration } from '@tidemark/core';
import { transactionOf } from '@tidemark/sql';

export const ${exportName} = defineMigration<${type}>({
  id: ${JSON.stringify(id)},
  title: ${JSON.stringify(title)},
  async up(ctx) {
    // Everything through the step's transaction: a second connection would wait on its locks.
    const db = transactionOf(ctx);
    // Your change here, e.g. ${kind === 'knex' ? "await db.schema.alterTable('users', (t) => t.string('nickname'))" : "await db.query('ALTER TABLE users ADD COLUMN nickname text')"}
    ${run}('SELECT 1');
  },
  async down(ctx) {
    const _db = transactionOf(ctx);
    throw new Error(${JSON.stringify(`${id}: down is not written yet`)});
  },
  async validate(_ctx) {
    throw new Error(${JSON.stringify(`${id}: validate is not written yet`)});
  },
});
`,
    };
  };
}

function describeKnex(knex: Knex): string {
  const client = knex.client as { config?: { client?: unknown; connection?: unknown } };
  const c = client.config?.connection;
  const name = typeof client.config?.client === 'string' ? client.config.client : 'knex';
  if (typeof c === 'string') return redact(c);
  if (c && typeof c === 'object') {
    const s = c as { host?: string; port?: number; database?: string; filename?: string; connectionString?: string };
    if (s.connectionString) return redact(s.connectionString);
    if (s.filename) return `${name}:${s.filename}`;
    return `${name}://${s.host ?? 'localhost'}${s.port ? `:${s.port}` : ''}/${s.database ?? ''}`;
  }
  return name;
}

function describeDataSource(ds: DataSource): string {
  const o = ds.options as {
    type: string;
    host?: string;
    port?: number;
    database?: unknown;
    url?: string;
    location?: string;
  };
  if (o.url) return redact(o.url);
  if (o.type === 'postgres')
    return `postgres://${o.host ?? 'localhost'}:${o.port ?? 5432}/${typeof o.database === 'string' ? o.database : ''}`;
  return `${o.type}:${o.location ?? (typeof o.database === 'string' ? o.database : 'memory')}`;
}

/** The app's own schema through its Knex instance (PostgreSQL or SQLite). */
export function knexPlugin(options: SqlPluginOptions<Knex> = {}): Plugin<Knex> {
  const table = checkIdentifier(options.ledgerTable ?? 'tidemark_knex_ledger', 'ledgerTable');
  return definePlugin<Knex>({
    name: options.name ?? 'knex',
    migrations: [...(options.migrations ?? [])],
    guards: [knexStepTransaction()],
    ledger: (knex) => {
      const base = knexExecutor(knex);
      const current = () => {
        const tx = activeTransaction(knex) as Knex.Transaction | undefined;
        return tx ? knexExecutor(tx, { dialect: base.dialect }) : undefined;
      };
      return sqlLedger({
        executor: routed(base, current),
        lockExecutor: base,
        table,
        option: 'ledgerTable',
        ...(options.lock ? { lock: options.lock } : {}),
      });
    },
    describe: describeKnex,
    capture: async (knex, dir) =>
      writeSchemaState(
        await readSchemaState(knexExecutor(knex), {
          ...options.capture,
          exclude: [...(options.capture?.exclude ?? []), table, `${table}_checkpoints`, `${table}_lock`],
        }),
        dir,
      ),
    scaffold: scaffold('knex'),
  });
}

/** The app's own schema through its initialized TypeORM DataSource (postgres, sqljs, sqlite, better-sqlite3). */
export function typeormPlugin(options: SqlPluginOptions<DataSource> = {}): Plugin<DataSource> {
  const table = checkIdentifier(options.ledgerTable ?? 'tidemark_typeorm_ledger', 'ledgerTable');
  return definePlugin<DataSource>({
    name: options.name ?? 'typeorm',
    migrations: [...(options.migrations ?? [])],
    guards: [typeormStepTransaction()],
    ledger: (ds) => {
      const base = typeormExecutor(ds);
      const current = () => {
        const manager = activeTransaction(ds) as EntityManager | undefined;
        return manager ? typeormExecutor(manager, { dialect: base.dialect }) : undefined;
      };
      return sqlLedger({
        executor: routed(base, current),
        lockExecutor: base,
        table,
        option: 'ledgerTable',
        ...(options.lock ? { lock: options.lock } : {}),
      });
    },
    describe: describeDataSource,
    capture: async (ds, dir) =>
      writeSchemaState(
        await readSchemaState(typeormExecutor(ds), {
          ...options.capture,
          exclude: [...(options.capture?.exclude ?? []), table, `${table}_checkpoints`, `${table}_lock`],
        }),
        dir,
      ),
    scaffold: scaffold('typeorm'),
  });
}
