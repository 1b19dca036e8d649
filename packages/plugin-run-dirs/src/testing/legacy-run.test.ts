// The legacy-run builder: each trait option is exactly what the plugin's real trait of that id detects, the
// extras and markers are where the options say, and the layouts are the real ones.
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runDirsPlugin } from '../plugin.js';
import { buildLegacyPup, buildLegacyRun, LEGACY_RUN_TRAITS, noiseBytes } from './index.js';

let tmp: TempFolder;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-legacy-run-');
});
afterEach(async () => {
  await tmp.remove();
});

const traits = runDirsPlugin().traits ?? [];
async function detected(dir: string): Promise<string[]> {
  const ctx = { targetLabel: dir, signal: new AbortController().signal };
  const found: string[] = [];
  for (const t of traits) if (await t.detect({ dir }, ctx)) found.push(t.id);
  return found.sort();
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.push(`${relative(dir, p)}/`);
        await walk(p);
      } else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

describe('buildLegacyRun', () => {
  test('by default the plugin detects every legacy shape the builder names, and nothing else', async () => {
    const dir = await buildLegacyRun(tmp.path, { runId: 'rlew-default' });
    expect(dir).toBe(join(tmp.path, 'rl', 'rlew-default'));
    expect(await detected(dir)).toEqual([...LEGACY_RUN_TRAITS].sort());
  });

  test.each(LEGACY_RUN_TRAITS.map((t) => [t]))('traits: [%s] is detected by that trait alone', async (trait) => {
    const dir = await buildLegacyRun(tmp.path, { traits: [trait], extras: [] });
    expect(await detected(dir)).toEqual([trait]);
  });

  test('traits: [] is a run no trait detects; its .nodb files name the folder it is in', async () => {
    const dir = await buildLegacyRun(tmp.path, { runId: 'rlew-clean', traits: [], extras: [] });
    expect(await detected(dir)).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, 'ron.nodb'), 'utf8'))).toEqual({
      'py/object': 'wepppy.nodb.ron.Ron',
      'py/state': { wd: dir, _config: 'disturbed9002.cfg', _name: 'Run' },
    });
    expect(await files(dir)).toEqual(['ron.nodb', 'watershed.nodb']);
  });

  test('the extras: an executable, a read-only file, an empty folder, a symlink, an older archive, an old mtime, a big file', async () => {
    const dir = await buildLegacyRun(tmp.path, { runId: 'rlew-extras', traits: [] });
    expect((await stat(join(dir, 'export/run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'exceptions.log'))).mode & 0o777).toBe(0o444);
    expect(await readdir(join(dir, 'ash'))).toEqual([]);
    expect((await lstat(join(dir, 'hillslopes-link.csv'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'hillslopes-link.csv'))).toBe('watershed/hillslopes.csv');
    expect(await readdir(join(dir, 'archives'))).toEqual(['rlew-extras.20200101T000000Z.zip']);
    expect((await stat(join(dir, 'ron.nodb'))).mtime.toISOString()).toBe('2021-03-04T05:06:08.000Z');
    expect(await readFile(join(dir, 'climate/observed.cli'))).toEqual(noiseBytes(70_000, 7));
  });

  test('extras: [] writes none of them; a big file, READONLY and nodb.version only when asked', async () => {
    const small = await buildLegacyRun(tmp.path, { runId: 'rlew-small', extras: [] });
    expect(await files(small)).toEqual([
      'dem/',
      'dem/wbt/',
      'dem/wbt/channels.geojson',
      'ron.nodb',
      'watershed.nodb',
      'watershed/',
      'watershed/channels.csv',
      'watershed/hillslopes.csv',
      'wepp/',
      'wepp/output/',
      'wepp/output/interchange/',
      'wepp/output/interchange/interchange_version.json',
    ]);

    const source = await buildLegacyRun(tmp.path, {
      runId: 'rlew-source',
      extras: ['big-file'],
      bigFile: { path: 'dem/dem.tif', bytes: 1234, seed: 11 },
      readonly: true,
      version: 1000,
    });
    expect(await readFile(join(source, 'dem/dem.tif'))).toEqual(noiseBytes(1234, 11));
    expect(await readFile(join(source, 'nodb.version'), 'utf8')).toBe('1000\n');
    expect(await readFile(join(source, 'READONLY'), 'utf8')).toBe('');
    expect(await readdir(join(source, 'climate')).catch(() => 'none')).toBe('none');
  });

  test("layout 'flat' is the older <parent>/<runId>; a pup is <parent>/_pups/<rel> with its own stale paths", async () => {
    const flat = await buildLegacyRun(tmp.path, { runId: 'old-run', layout: 'flat', extras: [] });
    expect(flat).toBe(join(tmp.path, 'old-run'));
    const parent = await buildLegacyRun(tmp.path, { runId: 'rlew-parent', extras: [] });
    const pup = await buildLegacyPup(parent, 'omni/scenarios/burned', { traits: ['nodb-stale-paths'], extras: [] });
    expect(pup).toBe(join(parent, '_pups', 'omni', 'scenarios', 'burned'));
    expect(JSON.parse(await readFile(join(pup, 'ron.nodb'), 'utf8'))['py/state'].wd).toBe(
      '/geodata/wc1/runs/rl/rlew-parent/_pups/omni/scenarios/burned',
    );
    expect(await detected(pup)).toEqual(['nodb-stale-paths']);
  });

  test('a run id or pup path that is not one path component is refused', async () => {
    await expect(buildLegacyRun(tmp.path, { runId: '../escape' })).rejects.toThrow(
      /^\[tidemark\] \[plugin-run-dirs\] buildLegacyRun: runId "..\/escape" must be one path component/,
    );
    await expect(buildLegacyPup(tmp.path, 'omni/../../x')).rejects.toThrow(
      /pup path part "\.\." must be one path component/,
    );
  });
});
