// plugin.scaffold(): the template writes its SQL through transactionOf (never ctx.target.query), its up,
// down and validate throw until written, and its test runs golden + laws with the ./testing harness on the
// config's target's migrations.
import { describe, expect, test } from 'vitest';
import { snapshotsPlugin } from './plugin.js';

describe('snapshotsPlugin().scaffold', () => {
  const out = snapshotsPlugin().scaffold!({
    id: '005_archive_recipes',
    title: 'archive old recipes',
    exportName: 'm005ArchiveRecipes',
    plugin: 'plugin-snapshots',
    fixtureDir: '../../fixtures/plugin-snapshots/005_archive_recipes',
    target: 'kitchen',
  });

  test('migration: typed, through transactionOf, stubs that throw', () => {
    expect(out.migration).toContain("import { transactionOf } from '@tidemark/plugin-snapshots';");
    expect(out.migration).toContain('export const m005ArchiveRecipes = defineMigration<DataSource>({');
    expect(out.migration).not.toMatch(/ctx\.target\.query\(/);
    for (const what of ['up', 'down', 'validate'])
      expect(out.migration).toContain(`005_archive_recipes: ${what} not written yet`);
  });

  test("test: the ./testing harness with the target's migrations, golden and laws over the cases folder", () => {
    expect(out.test).toContain("from '@tidemark/plugin-snapshots/testing'");
    expect(out.test).toContain('migrations["kitchen"]');
    expect(out.test).toContain('"../../fixtures/plugin-snapshots/"');
    expect(out.test).toMatch(/describeGolden\(harness[\s\S]*describeLaws\(harness/);
  });

  test("test: a fixed clock, so a run without produced_at gets the same snapshot_date in after/ and in every law's target", () => {
    expect(out.test).toContain("clock: () => new Date('2000-01-01T00:00:00.000Z')");
  });
});
