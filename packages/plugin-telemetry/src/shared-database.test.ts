// Telemetry, snapshots and an app's own knex migrations on ONE PostgreSQL database: three ledgers of their
// own (tidemark_telemetry_ledger, tidemark_snapshots_ledger, tidemark_knex_ledger), in any order or all at
// once, each then verify-clean. (0.1 failed here: telemetry and snapshots both wrote `tidemark_ledger`.)
import { createRunner, defineMigration, type Plugin } from '@tidemark/core';
import { loadState, openPostgres, snapshotsPlugin, type SnapshotsState } from '@tidemark/plugin-snapshots';
import { knexPlugin, transactionOf } from '@tidemark/sql';
import type { Knex } from 'knex';
import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { loggerCsv, writeLegacyFolder } from './demo/sample-data.js';
import { telemetryPlugin } from './plugin.js';
import type { TelemetryTarget } from './target.js';
import { createTestDb, tempDir } from './test/pg.js';

// The snapshots seed's legacy database (recipes, ingredients, production runs), as plugin-snapshots tests it.
const SNAPSHOTS_SAMPLE = new URL('../../plugin-snapshots/test_data/sample_data.json', import.meta.url);

const appMigrations = [
  defineMigration<Knex>({
    id: '001_app_users',
    title: 'the app keeps its users',
    async up(ctx) {
      await transactionOf(ctx).schema.createTable('app_users', (t) => {
        t.increments('id');
        t.text('email').notNullable();
      });
    },
    async down(ctx) {
      await transactionOf(ctx).schema.dropTable('app_users');
    },
  }),
  defineMigration<Knex>({
    id: '002_app_users_name',
    title: 'users get a display name',
    requires: ['001_app_users'],
    async up(ctx) {
      await transactionOf(ctx).schema.alterTable('app_users', (t) => t.text('display_name'));
    },
    async down(ctx) {
      await transactionOf(ctx).schema.alterTable('app_users', (t) => t.dropColumn('display_name'));
    },
  }),
];

type Name = 'telemetry' | 'snapshots' | 'app';

interface Setup {
  run(name: Name): Promise<string[]>;
  verify(name: Name): Promise<unknown>;
}

async function withSharedDatabase(fn: (setup: Setup, knex: Knex) => Promise<void>): Promise<void> {
  const db = await createTestDb({ min: 0, max: 6 });
  const dir = await tempDir();
  let ds: DataSource | undefined;
  try {
    const telemetryTarget: TelemetryTarget = {
      knex: db.knex,
      ...(await writeLegacyFolder(dir.path, { '2024/line1.csv': loggerCsv(50) })),
    };
    ds = await openPostgres(db.url, 4);
    await loadState(ds, JSON.parse(await readFile(SNAPSHOTS_SAMPLE, 'utf8')) as SnapshotsState);
    const snapshots = ds;
    const runners = {
      telemetry: () => createRunner({ plugin: telemetryPlugin() as Plugin<TelemetryTarget>, target: telemetryTarget }),
      snapshots: () => createRunner({ plugin: snapshotsPlugin(), target: snapshots }),
      app: () => createRunner({ plugin: knexPlugin({ migrations: appMigrations }), target: db.knex }),
    };
    await fn(
      {
        run: async (name) => (await runners[name]().up()).applied,
        verify: async (name) => {
          const report = await runners[name]().verify();
          return { validation: report.validation, steps: report.plan.steps, drift: report.plan.drift };
        },
      },
      db.knex,
    );
  } finally {
    if (ds?.isInitialized) await ds.destroy();
    await db.drop();
    await dir.remove();
  }
}

const expected: Record<Name, string[]> = {
  telemetry: ['001_schema', '002_config_profiles', '003_ingest_logs'],
  snapshots: [
    '001_create_recipe_snapshots',
    '002_add_run_snapshot_link',
    '003_backfill_recipe_snapshots',
    '004_add_snapshot_foreign_keys',
  ],
  app: ['001_app_users', '002_app_users_name'],
};

async function ledgers(knex: Knex): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ['tidemark_telemetry_ledger', 'tidemark_snapshots_ledger', 'tidemark_knex_ledger']) {
    out[table] = (await knex(table).orderBy('seq').select('id', 'outcome')).map(
      (r: { id: string; outcome: string }) => `${r.id}:${r.outcome}`,
    );
  }
  return out;
}

const clean = { validation: [], steps: [], drift: [] };

describe('telemetry, snapshots and the app share one PostgreSQL database', () => {
  it.each<[Name[]]>([
    [['telemetry', 'snapshots', 'app']],
    [['app', 'snapshots', 'telemetry']],
    [['snapshots', 'app', 'telemetry']],
  ])('in the order %j: three ledgers, each verify-clean', async (order) => {
    await withSharedDatabase(async (setup, knex) => {
      for (const name of order) expect(await setup.run(name)).toEqual(expected[name]);
      for (const name of order) expect(await setup.verify(name), name).toEqual(clean);
      for (const name of order) expect(await setup.run(name), `${name} again`).toEqual([]);
      expect(await ledgers(knex)).toEqual({
        tidemark_telemetry_ledger: expected.telemetry.map((id) => `${id}:applied`),
        tidemark_snapshots_ledger: expected.snapshots.map((id) => `${id}:applied`),
        tidemark_knex_ledger: expected.app.map((id) => `${id}:applied`),
      });
    });
  });

  it('all three at once', async () => {
    await withSharedDatabase(async (setup, knex) => {
      const applied = await Promise.all((['telemetry', 'snapshots', 'app'] as const).map((name) => setup.run(name)));
      expect(applied).toEqual([expected.telemetry, expected.snapshots, expected.app]);
      for (const name of ['telemetry', 'snapshots', 'app'] as const)
        expect(await setup.verify(name), name).toEqual(clean);
      expect(Object.values(await ledgers(knex)).map((ids) => ids.length)).toEqual([3, 4, 2]);
    });
  });

  it('on a database where telemetry 0.1 wrote tidemark_ledger, snapshots runs (0.1 failed: column "entry" does not exist) and telemetry keeps its history', async () => {
    await withSharedDatabase(async (setup, knex) => {
      expect(await setup.run('telemetry')).toEqual(expected.telemetry);
      // what 0.1 left: its ledger under the shared name, without the columns added since
      await knex.raw('ALTER TABLE tidemark_telemetry_ledger RENAME TO tidemark_ledger');
      await knex.raw('ALTER TABLE tidemark_ledger DROP COLUMN version_before');
      await knex.raw('ALTER TABLE tidemark_telemetry_ledger_checkpoints RENAME TO tidemark_ledger_checkpoints');
      expect(await setup.run('snapshots')).toEqual(expected.snapshots);
      expect(await setup.run('telemetry'), 'telemetry still knows what it applied').toEqual([]);
      expect(await setup.run('app')).toEqual(expected.app);
      for (const name of ['telemetry', 'snapshots', 'app'] as const)
        expect(await setup.verify(name), name).toEqual(clean);
      expect((await knex('tidemark_ledger').select('id')).map((r: { id: string }) => r.id).sort()).toEqual(
        expected.telemetry,
      );
    });
  });
});
