// The plugin used by fleet tests: the guard-test migrations, gated by two simple traits.
import { readFile } from 'node:fs/promises';
import { defineTrait } from '@tidemark/core';
import { guardTestMigrations } from '../../guards/test/guard-migrations.js';
import { runDirsPlugin } from '../../plugin.js';
import { runPath, type RunDirTarget } from '../../target.js';

const text = (t: RunDirTarget, rel: string) => readFile(runPath(t, rel), 'utf8').catch(() => null);

export function fleetTestPlugin() {
  return runDirsPlugin({
    builtIn: false,
    migrations: guardTestMigrations(),
    traits: [
      defineTrait<RunDirTarget>({
        id: 'watershed-csv',
        title: 'legacy watershed CSV',
        fixes: ['g001-watershed-csv'],
        detect: async (t) =>
          (await text(t, 'watershed/hillslopes.csv')) === null ? null : { summary: 'watershed/hillslopes.csv present' },
      }),
      defineTrait<RunDirTarget>({
        id: 'geojson-string-ids',
        title: 'WBT GeoJSON string ids',
        fixes: ['g002-geojson-ids'],
        detect: async (t) =>
          /"TopazID":"/.test((await text(t, 'dem/wbt/channels.geojson')) ?? '')
            ? { summary: 'TopazID stored as string' }
            : null,
      }),
    ],
  });
}
