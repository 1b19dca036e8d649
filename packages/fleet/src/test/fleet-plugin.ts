// Stand-in migrations for fleet tests (the real ones are plugin-run-dirs'): two trait-gated steps that
// follow the file discipline, write several files with a pause between writes (so a kill or a shutdown
// can land mid-step), report progress, and can be told to fail. The runs they migrate come from
// plugin-run-dirs' `buildLegacyRun` (`extras: []`); `runShape` tells which state such a run is in.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { defineMigration, defineTrait } from '@tidemark/core';
import { removeFile, runDirsPlugin, runPath, writeFileAtomic, type RunDirTarget } from '@tidemark/plugin-run-dirs';

export interface TestPluginOptions {
  /** Pause between the writes of a step (default env TIDEMARK_FLEET_TEST_STEP_MS or 0). */
  stepMs?: number;
  /** Runs whose id contains this fail in the second step. */
  failRunsContaining?: string;
  /** Runs whose folder is named this fail in the second step (a parent, without its `_pups` below it). */
  failRunsNamed?: string;
}

const text = (t: RunDirTarget, rel: string) => readFile(runPath(t, rel), 'utf8').catch(() => null);

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}

export function fleetTestPlugin(options: TestPluginOptions = {}) {
  const stepMs = options.stepMs ?? Number(process.env.TIDEMARK_FLEET_TEST_STEP_MS ?? 0);
  return runDirsPlugin({
    builtIn: false,
    migrations: [
      defineMigration<RunDirTarget>({
        id: 'f001-watershed-csv',
        title: 'hillslopes.csv -> hillslopes.json',
        version: 1001,
        async up(ctx) {
          const csv = await readFile(runPath(ctx.target, 'watershed/hillslopes.csv'), 'utf8');
          const [head, ...rows] = csv.trim().split('\n');
          const cols = head!.split(',');
          const data = rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], Number(v)])));
          ctx.progress(0, 2, 'parsed');
          await writeFileAtomic(runPath(ctx.target, 'watershed/hillslopes.json'), JSON.stringify(data));
          await pause(stepMs, ctx.signal);
          ctx.progress(1, 2, 'json written');
          await removeFile(runPath(ctx.target, 'watershed/hillslopes.csv'));
          ctx.progress(2, 2, 'csv removed');
        },
        validate: async (ctx) =>
          (await text(ctx.target, 'watershed/hillslopes.json')) === null
            ? [{ message: 'hillslopes.json missing', where: 'watershed/hillslopes.json' }]
            : [],
      }),
      defineMigration<RunDirTarget>({
        id: 'f002-geojson-ids',
        title: 'GeoJSON ids to integers',
        requires: ['f001-watershed-csv'],
        version: 1002,
        async up(ctx) {
          const path = runPath(ctx.target, 'dem/wbt/channels.geojson');
          const gj = JSON.parse(await readFile(path, 'utf8')) as {
            features: { properties: Record<string, unknown> }[];
          };
          for (const f of gj.features) for (const k of ['TopazID', 'WeppID']) f.properties[k] = Number(f.properties[k]);
          await pause(stepMs, ctx.signal);
          if (options.failRunsContaining && ctx.target.dir.includes(options.failRunsContaining))
            throw new Error('planned failure in f002');
          if (options.failRunsNamed && basename(ctx.target.dir) === options.failRunsNamed)
            throw new Error('planned failure in f002');
          await writeFileAtomic(path, JSON.stringify(gj));
        },
      }),
    ],
    traits: [
      defineTrait<RunDirTarget>({
        id: 'watershed-csv',
        title: 'legacy watershed CSV',
        fixes: ['f001-watershed-csv'],
        detect: async (t) =>
          (await text(t, 'watershed/hillslopes.csv')) === null ? null : { summary: 'watershed/hillslopes.csv present' },
      }),
      defineTrait<RunDirTarget>({
        id: 'geojson-string-ids',
        title: 'WBT GeoJSON string ids',
        fixes: ['f002-geojson-ids'],
        detect: async (t) =>
          /"TopazID":"/.test((await text(t, 'dem/wbt/channels.geojson')) ?? '')
            ? { summary: 'TopazID stored as string' }
            : null,
      }),
    ],
  });
}

/** legacy (untouched), migrated (every step and the stamp), or half (anything else: must never happen). */
export async function runShape(dir: string): Promise<'legacy' | 'migrated' | 'half'> {
  const t = { dir };
  const csv = await text(t, 'watershed/hillslopes.csv');
  const json = await text(t, 'watershed/hillslopes.json');
  const gj = (await text(t, 'dem/wbt/channels.geojson')) ?? '';
  const version = (await text(t, 'nodb.version'))?.trim() ?? null;
  const ledger = JSON.parse((await text(t, '.tidemark/ledger.json')) ?? '{"entries":[]}') as {
    entries: { id: string; outcome: string }[];
  };
  const applied = ledger.entries.filter((e) => e.outcome === 'applied').length;
  if (csv !== null && json === null && /"TopazID":"/.test(gj) && version === null && applied === 0) return 'legacy';
  if (csv === null && json !== null && /"TopazID":24/.test(gj) && version === '1002' && applied === 2)
    return 'migrated';
  return 'half';
}
