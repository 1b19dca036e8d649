// The app harness of `@tidemark/plugin-snapshots/testing`: the shipped corpus passes through it unchanged
// (its generic reader adds nothing where the app added nothing), and an app's column or table shows in the
// state, round-trips through fixture files and loads into a fresh database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunner, defineMigration } from '@tidemark/core';
import { describeGolden, describeLaws } from '@tidemark/testing';
import type { DataSource } from 'typeorm';
import { describe, expect, test } from 'vitest';
import { sql } from '../transaction.js';
import { FIXED_NOW, GOLDEN_DIR } from '../test/scenarios.js';
import { goldenStates, readAppFixture, snapshotsHarness, writeAppFixture } from '@tidemark/plugin-snapshots/testing';

const shippedOnly = snapshotsHarness({ batchSize: 3, clock: () => FIXED_NOW, states: await goldenStates(GOLDEN_DIR) });
describeGolden(shippedOnly, { dir: GOLDEN_DIR });
describeLaws(shippedOnly, { runs: 2 });

const addNote = defineMigration<DataSource>({
  id: '005_app_snapshot_note',
  title: 'app: recipe_snapshots.note',
  requires: ['004_add_snapshot_foreign_keys'],
  async up(ctx) {
    await sql(ctx.target, `ALTER TABLE recipe_snapshots ADD COLUMN note varchar(40)`);
    await sql(ctx.target, `UPDATE recipe_snapshots SET note = 'app'`);
    await sql(ctx.target, `CREATE TABLE app_audit (id integer, what text)`);
    await sql(ctx.target, `INSERT INTO app_audit (id, what) VALUES (1, 'notes added')`);
  },
});

describe('snapshotsHarness with an app migration', () => {
  test("the app's column and table show in the state, round-trip through files and load again", async () => {
    const harness = snapshotsHarness({ migrations: [addNote], clock: () => FIXED_NOW });
    expect(harness.reversible).toBe(false);
    const ds = await harness.create(await harness.fixture.load(join(GOLDEN_DIR, 'sample-data', 'before')));
    const dir = await mkdtemp(join(tmpdir(), 'tm-snap-app-'));
    try {
      await createRunner({ plugin: harness.plugin as never, target: ds }).up();
      const after = await harness.read(ds);
      expect(after.recipe_snapshots!.length).toBeGreaterThan(0);
      expect(after.recipe_snapshots!.every((s) => (s as unknown as { note: string }).note === 'app')).toBe(true);
      expect(after.tables).toEqual({ app_audit: [{ id: 1, what: 'notes added' }] });
      await harness.fixture.write(after, dir);
      expect(await readAppFixture(dir)).toEqual(after);
      const again = await harness.create(await readAppFixture(dir));
      try {
        expect(await harness.read(again)).toEqual(after);
      } finally {
        await harness.dispose(again);
      }
    } finally {
      await harness.dispose(ds);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a stray file in a fixture folder is refused with its name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tm-snap-app-'));
    try {
      await writeAppFixture({ recipes: [], ingredients: [], recipe_ingredients: [], production_runs: [] }, dir);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(dir, 'accounts.json'), '[]');
      await expect(readAppFixture(dir)).rejects.toThrow(/accounts\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
