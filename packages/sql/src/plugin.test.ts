// knexPlugin / typeormPlugin run an app's own migrations: each step one transaction with its ledger entry,
// SQL through transactionOf(ctx) never waits on the step's own locks, a failed step leaves nothing behind.
import { createRunner, defineMigration, runPendingMigrations } from '@tidemark/core';
import type { Knex } from 'knex';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { knexPlugin, typeormPlugin } from './plugin.js';
import { knexMigrations, typeormMigrations } from './test/app-migrations.js';
import { createPgDatabase, sqljsDataSource, type PgDatabase } from './test/databases.js';
import { transactionOf } from './transaction.js';

let db: PgDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('knexPlugin on PostgreSQL', () => {
  it('applies the app migrations once, records them in tidemark_knex_ledger, and verifies clean', async () => {
    db = await createPgDatabase();
    const knex = db.knex();
    const plugin = knexPlugin({ migrations: knexMigrations });
    const result = await createRunner({ plugin, target: knex }).up();
    expect(result.applied).toEqual(['001_users', '002_nickname']);
    await knex('users').insert({ id: 1, name: 'Ada', nickname: 'ada' });
    const verify = await createRunner({ plugin, target: knex }).verify();
    expect(verify.validation).toEqual([]);
    expect(verify.plan.steps).toEqual([]);
    expect((await knex('tidemark_knex_ledger').select('id')).map((r: { id: string }) => r.id)).toEqual([
      '001_users',
      '002_nickname',
    ]);
    expect((await runPendingMigrations({ plugin, target: knex })).applied ?? []).toEqual([]);
  });

  it('a failing step rolls back its own work and is recorded as failed; the steps before it stay', async () => {
    db = await createPgDatabase();
    const knex = db.knex();
    const broken = defineMigration<Knex>({
      id: '003_broken',
      title: 'half a change, then an error',
      requires: ['002_nickname'],
      async up(ctx) {
        await transactionOf(ctx).schema.alterTable('users', (t) => t.text('email'));
        throw new Error('boom');
      },
    });
    const plugin = knexPlugin({ migrations: [...knexMigrations, broken] });
    await expect(createRunner({ plugin, target: knex }).up()).rejects.toThrow(/boom/);
    const columns = await knex('information_schema.columns').where({ table_name: 'users' }).pluck('column_name');
    expect(columns.sort()).toEqual(['id', 'name', 'nickname']);
    const entries = await plugin.ledger(knex).read();
    expect(entries.map((e) => [e.id, e.outcome])).toEqual([
      ['001_users', 'applied'],
      ['002_nickname', 'applied'],
      ['003_broken', 'failed'],
    ]);
  });

  it('rejects a ledgerTable that is not an identifier, naming the option', () => {
    expect(() => knexPlugin({ ledgerTable: 'ledger; DROP TABLE users' })).toThrow(
      /option "ledgerTable" must be a table name/,
    );
  });
});

describe.each([
  ['PostgreSQL', async (): Promise<DataSource> => (db = await createPgDatabase()).typeorm()],
  ['SQLite (sql.js)', sqljsDataSource],
])('typeormPlugin on %s', (_name, open) => {
  it('applies, verifies, and goes down again through transactionOf', async () => {
    const ds = await open();
    try {
      const plugin = typeormPlugin({ migrations: typeormMigrations });
      const runner = createRunner({ plugin, target: ds });
      expect((await runner.up()).applied).toEqual(['001_users', '002_nickname']);
      expect((await runner.verify()).plan.steps).toEqual([]);
      await runner.down({ to: null });
      expect(await plugin.ledger(ds).read()).toEqual([]);
      await expect(ds.query('SELECT * FROM users')).rejects.toThrow();
    } finally {
      if (ds.isInitialized) await ds.destroy();
    }
  });
});
