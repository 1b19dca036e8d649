// An app's migration on the snapshots plugin writes through transactionOf(ctx): under `commit: 'run'` that
// is the run's own transaction, so it never waits on the locks that transaction holds. (Through ctx.target
// it took a second pooled connection and waited forever on production_runs, which step 002 altered.)
import { createRunner, defineMigration } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotsPlugin } from './plugin.js';
import { loadSampleData } from './sample-data.js';
import { loadState } from './state.js';
import { dialects, type TestDb } from './test/databases.js';
import { transactionOf } from './transaction.js';

const addRunNote = defineMigration<DataSource>({
  id: '005_run_note',
  title: 'production_runs get a note',
  requires: ['004_add_snapshot_foreign_keys'],
  async up(ctx) {
    const db = transactionOf(ctx);
    await db.query('ALTER TABLE production_runs ADD COLUMN note text');
    await db.query(`UPDATE production_runs SET note = 'checked'`);
  },
  async down(ctx) {
    await transactionOf(ctx).query('ALTER TABLE production_runs DROP COLUMN note');
  },
});

describe.each(dialects)("an app migration under commit: 'run' on %s", (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('completes inside the run transaction, and rolls back with it', async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const base = snapshotsPlugin({ commit: 'run' });
    const plugin = { ...base, migrations: [...base.migrations, addRunNote] };
    const result = await Promise.race([
      createRunner({ plugin, target: ds, lock: { waitMs: 5_000 } }).up(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the run hangs on its own transaction')), 30_000).unref(),
      ),
    ]);
    expect(result.applied).toContain('005_run_note');
    const notes = (await ds.query('SELECT DISTINCT note FROM production_runs')) as { note: string }[];
    expect(notes).toEqual([{ note: 'checked' }]);

    // A failing app step after it: the whole run, its own work included, rolls back.
    await createRunner({ plugin, target: ds }).down({ to: null });
    const failing = defineMigration<DataSource>({
      id: '006_fails',
      title: 'fails after 005',
      requires: ['005_run_note'],
      async up() {
        throw new Error('boom');
      },
    });
    await expect(
      createRunner({ plugin: { ...plugin, migrations: [...plugin.migrations, failing] }, target: ds }).up(),
    ).rejects.toThrow(/boom/);
    await expect(ds.query('SELECT note FROM production_runs')).rejects.toThrow();
  });
});
