// One builder of legacy WEPPcloud run folders on disk for tests (guards, fleet, run-sync, benches), so every
// test meets the same realistic run: jsonpickle `.nodb` files, a legacy watershed CSV, WBT GeoJSON with string
// ids, a legacy interchange folder, and the files a guard must handle with care. Each legacy shape is named by
// the id of the plugin trait that detects it, so a test can turn one off and know which trait goes quiet.
import { createError } from '@tidemark/core';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The legacy shapes the builder can write, by the id of the trait that detects each. */
export const LEGACY_RUN_TRAITS = [
  'jsonpickle-flat',
  'nodb-stale-paths',
  'watershed-legacy-tables',
  'wbt-geojson-string-ids',
  'interchange-legacy',
] as const;
export type LegacyRunTrait = (typeof LEGACY_RUN_TRAITS)[number];

/** Files that are no legacy shape but that snapshots, archives and copies must carry exactly. */
export const LEGACY_RUN_EXTRAS = [
  'executable',
  'read-only-file',
  'empty-folder',
  'symlink',
  'old-archive',
  'old-mtime',
  'big-file',
] as const;
export type LegacyRunExtra = (typeof LEGACY_RUN_EXTRAS)[number];

export interface LegacyRunContent {
  /** Legacy shapes to write; default all of `LEGACY_RUN_TRAITS`. `[]`: a run no trait detects (it is baselined). */
  traits?: readonly LegacyRunTrait[];
  /** Extras to write; default all of `LEGACY_RUN_EXTRAS`. `[]` for a small, fast run (fleet and load tests). */
  extras?: readonly LegacyRunExtra[];
  /**
   * The `big-file` extra: incompressible, deterministic bytes. Default `climate/observed.cli`, 70 000 bytes, seed 7.
   */
  bigFile?: { path?: string; bytes?: number; seed?: number };
  /** Writes the `READONLY` marker: a run that must never be written. */
  readonly?: boolean;
  /** Writes `nodb.version` with this stamp (e.g. 1000); default none, as in a legacy run. */
  version?: number;
}

export interface LegacyRunOptions extends LegacyRunContent {
  /** Default `rlew-` + 6 random characters. One path component. */
  runId?: string;
  /** 'prefixed' (default): `<parent>/<first 2 chars of the id>/<runId>`; 'flat': the older `<parent>/<runId>`. */
  layout?: 'prefixed' | 'flat';
}

/** Deterministic incompressible bytes (xorshift32): a big file that zip cannot shrink and HTTP ranges can split. */
export function noiseBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const HILLSLOPES_CSV =
  'TopazID,WeppID,slope_scalar,length,width,area\n11,1,0.12,100.5,30,3015\n" 12 ",2,0.2,80,25,2000\n13.0,3,0.1,50,20,1000\n';
// Channels too: a run with hillslopes and no channel table is another shape ('watershed-table-missing').
const CHANNELS_CSV = 'TopazID,WeppID,order,length,area\n24,4,1,120.5,500\n';
const CHANNELS_GEOJSON = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { TopazID: '24', WeppID: '4', Order: '1' },
      geometry: {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
    },
  ],
};
const OLD_MTIME = new Date('2021-03-04T05:06:08Z');

function pathComponent(name: string, what: string): string {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name))
    throw createError('plugin-run-dirs', `buildLegacyRun: ${what} ${JSON.stringify(name)} must be one path component`);
  return name;
}

/** A legacy run under `parent` (created as needed); returns the run's folder. */
export async function buildLegacyRun(parent: string, options: LegacyRunOptions = {}): Promise<string> {
  const runId = pathComponent(options.runId ?? `rlew-${randomBytes(3).toString('hex')}`, 'runId');
  const prefix = runId.slice(0, 2);
  const dir = options.layout === 'flat' ? join(parent, runId) : join(parent, prefix, runId);
  await writeRun(
    dir,
    runId,
    { ron: `/geodata/wc1/runs/${prefix}/${runId}`, watershed: `/geodata/weppcloud_runs/${runId}` },
    options,
  );
  return dir;
}

/** A legacy child run at `<parentDir>/_pups/<rel>` (e.g. `omni/scenarios/burned`); returns its folder. */
export async function buildLegacyPup(parentDir: string, rel: string, options: LegacyRunContent = {}): Promise<string> {
  const parts = rel.split('/').map((p) => pathComponent(p, 'pup path part'));
  const parent = basename(parentDir);
  const dir = join(parentDir, '_pups', ...parts);
  const tail = `${parent}/_pups/${parts.join('/')}`;
  await writeRun(
    dir,
    parts.at(-1)!,
    { ron: `/geodata/wc1/runs/${parent.slice(0, 2)}/${tail}`, watershed: `/geodata/weppcloud_runs/${tail}` },
    options,
  );
  return dir;
}

async function put(dir: string, rel: string, data: string | Buffer): Promise<string> {
  const path = join(dir, ...rel.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  return path;
}

async function writeRun(
  dir: string,
  runId: string,
  stale: { ron: string; watershed: string },
  options: LegacyRunContent,
): Promise<void> {
  const traits = new Set<LegacyRunTrait>(options.traits ?? LEGACY_RUN_TRAITS);
  const extras = new Set<LegacyRunExtra>(options.extras ?? LEGACY_RUN_EXTRAS);
  await mkdir(dir, { recursive: true });
  // Without the stale-paths shape the `.nodb` files name the folder the run is in now, as a migrated run does.
  const wd = traits.has('nodb-stale-paths') ? stale : { ron: dir, watershed: dir };
  const ronState = { wd: wd.ron, _config: 'disturbed9002.cfg', _name: 'Run' };
  const ron = traits.has('jsonpickle-flat')
    ? { 'py/object': 'wepppy.nodb.ron.Ron', ...ronState }
    : { 'py/object': 'wepppy.nodb.ron.Ron', 'py/state': ronState };
  const ronPath = await put(dir, 'ron.nodb', JSON.stringify(ron));
  await put(
    dir,
    'watershed.nodb',
    JSON.stringify({ 'py/object': 'wepppy.nodb.watershed.Watershed', 'py/state': { wd: wd.watershed } }),
  );
  if (traits.has('watershed-legacy-tables')) {
    await put(dir, 'watershed/hillslopes.csv', HILLSLOPES_CSV);
    await put(dir, 'watershed/channels.csv', CHANNELS_CSV);
  }
  if (traits.has('wbt-geojson-string-ids'))
    await put(dir, 'dem/wbt/channels.geojson', JSON.stringify(CHANNELS_GEOJSON));
  if (traits.has('interchange-legacy'))
    await put(dir, 'wepp/output/interchange/interchange_version.json', '{"major":1,"minor":0}\n');

  if (extras.has('executable')) await chmod(await put(dir, 'export/run.sh', '#!/bin/sh\necho hi\n'), 0o755);
  if (extras.has('big-file')) {
    const big = options.bigFile ?? {};
    await put(dir, big.path ?? 'climate/observed.cli', noiseBytes(big.bytes ?? 70_000, big.seed ?? 7));
  }
  if (extras.has('read-only-file')) await chmod(await put(dir, 'exceptions.log', ''), 0o444);
  if (extras.has('empty-folder')) await mkdir(join(dir, 'ash'), { recursive: true });
  if (extras.has('symlink')) await symlink('watershed/hillslopes.csv', join(dir, 'hillslopes-link.csv'));
  if (extras.has('old-archive'))
    await put(dir, `archives/${runId}.20200101T000000Z.zip`, 'an older archive the guard must never touch');
  if (options.version !== undefined) await put(dir, 'nodb.version', `${options.version}\n`);
  if (options.readonly) await put(dir, 'READONLY', '');
  if (extras.has('old-mtime')) await utimes(ronPath, OLD_MTIME, OLD_MTIME);
}
