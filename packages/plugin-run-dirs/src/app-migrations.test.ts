// An app's own migrations run after the built-in ones, whose traits and guards stay in place; `requires` may
// name a built-in id; `builtIn: false` leaves the built-in migrations and traits out.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRunner, defineMigration, type TidemarkEvent } from '@tidemark/core';
import { describe, expect, test } from 'vitest';
import { runPath, writeFileAtomic, type RunDirTarget } from './index.js';
import { migrations as builtIn } from './migrations/index.js';
import { runDirsPlugin } from './plugin.js';
import { traits } from './traits/index.js';
import { loadFixtureRun, runDirsHarness } from './test/harness.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/plugin-run-dirs/full-legacy-run/before/', import.meta.url));

const appMigration = defineMigration<RunDirTarget>({
  id: '008_app_note',
  title: 'app: a note file',
  requires: ['007_soils_parquet'],
  async up(ctx) {
    await writeFileAtomic(runPath(ctx.target, 'app-note.json'), JSON.stringify({ soilsDone: true }));
  },
});

describe('runDirsPlugin({ migrations })', () => {
  test('appends the app migration after the built-in ones and runs it last', async () => {
    const plugin = runDirsPlugin({ snapshot: 'hardlink', disk: false, migrations: [appMigration] });
    expect(plugin.migrations.map((m) => m.id)).toEqual([...builtIn.map((m) => m.id), '008_app_note']);
    expect(plugin.traits).toEqual(traits);
    const target = await runDirsHarness.create(await loadFixtureRun(FIXTURE));
    try {
      const started: string[] = [];
      const onEvent = (e: TidemarkEvent) => void (e.type === 'step:started' && started.push(e.migration));
      const result = await createRunner({ plugin, target, onEvent }).up();
      expect(result.applied.at(-1)).toBe('008_app_note');
      expect(started.at(-1)).toBe('008_app_note');
      expect(started.length).toBeGreaterThan(1);
      expect(JSON.parse(await readFile(runPath(target, 'app-note.json'), 'utf8'))).toEqual({ soilsDone: true });
    } finally {
      await runDirsHarness.dispose(target);
    }
  });

  test('builtIn: false keeps only the app migrations, without the built-in traits', () => {
    const plugin = runDirsPlugin({ builtIn: false, migrations: [{ ...appMigration, requires: [] }] });
    expect(plugin.migrations.map((m) => m.id)).toEqual(['008_app_note']);
    expect(plugin.traits).toEqual([]);
  });

  test('a requires naming no migration is refused when the plugin is built', () => {
    expect(() => runDirsPlugin({ builtIn: false, migrations: [appMigration] })).toThrow(/007_soils_parquet/);
  });
});
