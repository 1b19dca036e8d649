// A run to serve from a source root: a legacy run plus an incompressible binary big enough for ranges.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { makeLegacyRun } from './fleet-plugin.js';

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

export async function makeSourceRun(root: string, runId: string, bigBytes = 256 * 1024): Promise<string> {
  const dir = await makeLegacyRun(root, runId);
  await writeFile(join(dir, 'nodb.version'), '1000\n');
  await writeFile(join(dir, 'dem', 'dem.tif'), noise(bigBytes, 11));
  return dir;
}

/** path -> sha256 of every file (archives/ and .tidemark/ left out, like a manifest). */
export async function fileHashes(dir: string, skip: (rel: string) => boolean = (rel) => rel.startsWith('archives/') || rel.startsWith('.tidemark/')): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) await walk(p);
      else out[rel] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}
