// Stand-in migrations for guard tests: they follow the plugin's file discipline (file-ops), write several
// files, and can be told to fail. They are not the real migrations (those are the plugin's own).
import { readFile } from 'node:fs/promises';
import { defineMigration, type Migration } from '@tidemark/core';
import { moveFile, removeFile, writeFileAtomic } from '../../file-ops.js';
import { runPath, type RunDirTarget } from '../../target.js';

export function guardTestMigrations(options: { failIn?: string; hangIn?: string } = {}): Migration<RunDirTarget>[] {
  const fail = async (id: string) => {
    if (options.failIn === id) throw new Error(`planned failure in ${id}`);
    if (options.hangIn === id) {
      // A crash test kills this process here, half-way through the step.
      process.stdout.write('HALF-WAY\n');
      await new Promise(() => setInterval(() => undefined, 1000));
    }
  };
  return [
    defineMigration<RunDirTarget>({
      id: 'g001-watershed-csv',
      title: 'hillslopes.csv -> hillslopes.json',
      version: 1001,
      async up(ctx) {
        const csv = await readFile(runPath(ctx.target, 'watershed/hillslopes.csv'), 'utf8');
        const [head, ...rows] = csv.trim().split('\n');
        const cols = head!.split(',');
        const data = rows.map((r) =>
          Object.fromEntries(r.split(',').map((v, i) => [cols[i], v.replace(/"/g, '').trim()])),
        );
        await writeFileAtomic(runPath(ctx.target, 'watershed/hillslopes.json'), JSON.stringify(data));
        await fail('g001-watershed-csv');
        await removeFile(runPath(ctx.target, 'watershed/hillslopes.csv'));
      },
    }),
    defineMigration<RunDirTarget>({
      id: 'g002-geojson-ids',
      title: 'GeoJSON ids to ints; run.sh replaced with a private copy',
      requires: ['g001-watershed-csv'],
      version: 1002,
      async up(ctx) {
        const path = runPath(ctx.target, 'dem/wbt/channels.geojson');
        const gj = JSON.parse(await readFile(path, 'utf8')) as { features: { properties: Record<string, unknown> }[] };
        for (const f of gj.features)
          for (const k of ['TopazID', 'WeppID', 'Order']) f.properties[k] = Number(f.properties[k]);
        await writeFileAtomic(path, JSON.stringify(gj));
        await writeFileAtomic(runPath(ctx.target, 'export/run.sh'), '#!/bin/sh\necho migrated\n', { mode: 0o600 });
        await fail('g002-geojson-ids');
        await moveFile(runPath(ctx.target, 'climate/observed.cli'), runPath(ctx.target, 'climate/moved/observed.cli'));
      },
    }),
  ];
}
