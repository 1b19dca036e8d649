// The file manifest a source serves for a run: every file with its size and sha256 (and unix mode), so the
// importer can resume partial downloads and prove every byte. `archives/` and Tidemark's live lock and
// snapshots are never part of it (the same rule as archives and restores).
import { createError } from '@tidemark/core';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { entryNameProblem, isOutsideSnapshot } from '@tidemark/plugin-run-dirs';

export const MANIFEST_FORMAT = 'tidemark.run-sync.manifest/1';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  mode?: number;
}

export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  runid: string;
  config?: string;
  version?: number | null;
  files: ManifestFile[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of files already hashed, by absolute path, valid while size, mtime and inode are the same. */
export interface HashCache {
  files: Map<string, { size: number; mtimeMs: number; ino: number; sha256: string }>;
  hashed: number;
}

export async function buildManifest(
  dir: string,
  runid: string,
  extra: { config?: string; version?: number | null } = {},
  cache?: HashCache,
): Promise<RunManifest> {
  const files: ManifestFile[] = [];
  const walk = async (folder: string) => {
    for (const e of await readdir(folder, { withFileTypes: true })) {
      const abs = join(folder, e.name);
      const rel = relative(dir, abs).split(sep).join('/');
      if (isOutsideSnapshot(rel) || rel === '.provenance.json') continue;
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) {
        const s = await stat(abs);
        const known = cache?.files.get(abs);
        let sha256 =
          known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.ino === s.ino ? known.sha256 : null;
        if (sha256 === null) {
          sha256 = await sha256File(abs);
          if (cache) {
            cache.files.set(abs, { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, sha256 });
            cache.hashed++;
          }
        }
        files.push({ path: rel, size: s.size, sha256, mode: s.mode & 0o777 });
      }
    }
  };
  await walk(dir);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { format: MANIFEST_FORMAT, runid, ...extra, files };
}

/** Checks a manifest from the network: shape, safe relative paths, no duplicates. Throws naming the entry. */
export function checkManifest(value: unknown, runid: string): RunManifest {
  const fail = (why: string) => createError('fleet', `run-sync manifest of ${runid}: ${why}`);
  if (!value || typeof value !== 'object') throw fail('not a JSON object');
  const m = value as Partial<RunManifest>;
  if (m.format !== MANIFEST_FORMAT) throw fail(`format is ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT}`);
  if (!Array.isArray(m.files)) throw fail('"files" is not a list');
  const seen = new Set<string>();
  m.files.forEach((f, i) => {
    if (!f || typeof f.path !== 'string') throw fail(`files[${i}].path is missing`);
    const problem =
      entryNameProblem(f.path) ??
      (posix.normalize(f.path) !== f.path || f.path.startsWith('./') ? 'not a normalised path' : null);
    if (problem) throw fail(`files[${i}].path "${f.path}": ${problem}`);
    if (isOutsideSnapshot(f.path))
      throw fail(`files[${i}].path "${f.path}" is inside archives/ or Tidemark's own state`);
    if (!Number.isSafeInteger(f.size) || f.size < 0)
      throw fail(`files[${i}] (${f.path}): size must be a non-negative integer`);
    if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
      throw fail(`files[${i}] (${f.path}): sha256 must be 64 hex digits`);
    if (seen.has(f.path)) throw fail(`files[${i}] (${f.path}) is listed twice`);
    seen.add(f.path);
  });
  return m as RunManifest;
}
