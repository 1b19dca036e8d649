// An app's own migrations run after the shipped ones (traits and guards unchanged; `requires` may name a
// shipped id), through the run's transaction under `commit: 'run'`.
import { createRunner, defineMigration, type TidemarkEvent } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { describe, expect, test } from 'vitest';
import { snapshotsPlugin } from './plugin.js';
import { sqljsHarness } from './test/harness.js';
import { readFixture } from './fixture.js';
import { GOLDEN_DIR } from './test/scenarios.js';
import { sql } from './transaction.js';

const appMigration = defineMigration<DataSource>({
  id: '005_app_snapshot_note',
  title: 'app: recipe_snapshots.note',
  requires: ['004_add_snapshot_foreign_keys'],
  async up(ctx) {
    await sql(ctx.target, `ALTER TABLE recipe_snapshots ADD COLUMN note varchar(40)`);
    await sql(ctx.target, `UPDATE recipe_snapshots SET note = 'app'`);
  },
});

describe('snapshotsPlugin({ migrations })', () => {
  for (const commit of ['batch', 'run'] as const) {
    test(`commit '${commit}': the app migration runs after the four shipped ones`, async () => {
      const plugin = snapshotsPlugin({ commit, migrations: [appMigration] });
      const shipped = snapshotsPlugin({ commit });
      expect(plugin.migrations.map((m) => m.id)).toEqual([
        ...shipped.migrations.map((m) => m.id),
        '005_app_snapshot_note',
      ]);
      expect(plugin.traits!.map((t) => t.id)).toEqual(shipped.traits!.map((t) => t.id));
      const harness = sqljsHarness();
      const ds = await harness.create(await readFixture(`${GOLDEN_DIR}sample-data/before`));
      try {
        const started: string[] = [];
        const onEvent = (e: TidemarkEvent) => void (e.type === 'step:started' && started.push(e.migration));
        const result = await createRunner({ plugin, target: ds, onEvent }).up();
        expect(started).toEqual([...shipped.migrations.map((m) => m.id), '005_app_snapshot_note']);
        expect(result.applied.at(-1)).toBe('005_app_snapshot_note');
        const notes = (await ds.query(`SELECT DISTINCT note FROM recipe_snapshots`)) as { note: string }[];
        expect(notes).toEqual([{ note: 'app' }]);
      } finally {
        await harness.dispose(ds);
      }
    });
  }
});
