import { runPendingMigrations } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { hasTable } from './inspect.js';
import { snapshotsPlugin } from './plugin.js';
import { loadSampleData } from './sample-data.js';
import { loadState } from './state.js';
import { sql } from './transaction.js';
import { dialects, type TestDb } from './test/databases.js';
import { runnerFor } from './test/scenarios.js';

describe.each(dialects)('preflight on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it("a database without the app's tables is refused at boot in one line naming them, and nothing is created", async () => {
    db = await open();
    const error = await runPendingMigrations({ plugin: snapshotsPlugin(), target: db.ds }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toContain('\n');
    expect(error!.message).toMatch(/^\[tidemark\] \[plugin-snapshots\]/);
    expect(error!.message).toContain('refused before any write');
    expect(error!.message).toContain(
      "the recipe app's table(s) recipes, ingredients, recipe_ingredients, production_runs do not exist",
    );
    expect(await hasTable(db.ds, 'recipe_snapshots')).toBe(false);
  });

  it('names only the tables that are missing', async () => {
    db = await open();
    await loadState(db.ds, await loadSampleData());
    await sql(db.ds, 'DROP TABLE recipe_ingredients');
    const { runner } = runnerFor(db.ds);
    await expect(runner.up()).rejects.toThrow(/table\(s\) recipe_ingredients do not exist/);
    expect(await hasTable(db.ds, 'recipe_snapshots')).toBe(false);
  });
});
