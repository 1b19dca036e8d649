// A small but realistic legacy run for guard tests: jsonpickle `.nodb` files, a legacy watershed CSV,
// WBT GeoJSON with string ids, an executable, a read-only file, an empty folder, a symlink, old archives.
import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempRoot(prefix = 'tidemark-guards-'): Promise<{ root: string; dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** Deterministic incompressible bytes. */
export function noise(size: number, seed: number): Buffer {
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

export async function makeSampleRun(parent: string, runId = `rlew-${Math.random().toString(36).slice(2, 8)}`): Promise<string> {
  const dir = join(parent, runId.slice(0, 2), runId);
  await mkdir(join(dir, 'watershed'), { recursive: true });
  await mkdir(join(dir, 'dem', 'wbt'), { recursive: true });
  await mkdir(join(dir, 'wepp', 'output', 'interchange'), { recursive: true });
  await mkdir(join(dir, 'export'), { recursive: true });
  await mkdir(join(dir, 'climate'), { recursive: true });
  await mkdir(join(dir, 'archives'), { recursive: true });
  await writeFile(
    join(dir, 'ron.nodb'),
    JSON.stringify({ 'py/object': 'wepppy.nodb.ron.Ron', wd: `/geodata/wc1/runs/${runId.slice(0, 2)}/${runId}`, _config: 'disturbed9002.cfg', _name: 'Run' }),
  );
  await writeFile(join(dir, 'watershed.nodb'), JSON.stringify({ 'py/object': 'wepppy.nodb.watershed.Watershed', 'py/state': { wd: `/geodata/weppcloud_runs/${runId}` } }));
  await writeFile(join(dir, 'watershed', 'hillslopes.csv'), 'TopazID,WeppID,slope_scalar,length,width,area\n11,1,0.12,100.5,30,3015\n" 12 ",2,0.2,80,25,2000\n13.0,3,0.1,50,20,1000\n');
  await writeFile(
    join(dir, 'dem', 'wbt', 'channels.geojson'),
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { TopazID: '24', WeppID: '4', Order: '1' }, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } }] }),
  );
  await writeFile(join(dir, 'wepp', 'output', 'interchange', 'interchange_version.json'), '{"major":1,"minor":0}\n');
  await writeFile(join(dir, 'export', 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(dir, 'export', 'run.sh'), 0o755);
  await writeFile(join(dir, 'climate', 'observed.cli'), noise(70_000, 7));
  await writeFile(join(dir, 'exceptions.log'), '');
  await chmod(join(dir, 'exceptions.log'), 0o444);
  await mkdir(join(dir, 'ash'));
  await symlink('watershed/hillslopes.csv', join(dir, 'hillslopes-link.csv'));
  await writeFile(join(dir, 'archives', `${runId}.20200101T000000Z.zip`), 'an older archive the guard must never touch');
  const old = new Date('2021-03-04T05:06:08Z');
  await utimes(join(dir, 'ron.nodb'), old, old);
  return dir;
}
