// A snapshot that costs one hard link per file instead of a compressed copy. It is only sound because the
// plugin's migrations never write a file in place: they write a new file, fsync it and rename it over the
// old name, so the old inode (shared with the snapshot) keeps the old bytes. Permission and time changes
// DO reach the shared inode, so the manifest keeps each entry's mode and mtime, and a restore first checks
// that every snapshot file still has its recorded size and mtime: a file written in place is detected and
// the restore refuses instead of restoring wrong bytes.
import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, readFile, readdir, rename, rm, symlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { clearExcept, compactUtc, fsyncDir, removeDurable, writeJsonDurable } from './fs-atomic.js';
import { RunDirsGuardError } from './refusal.js';
import {
  holdsPreserved,
  isPreserved,
  listRunEntries,
  normalizePreserved,
  totalBytes,
  type RunEntry,
} from './run-files.js';
import { SNAPSHOTS_DIR } from '../target.js';
import { applyModesAndTimes } from './zip-archive.js';
import { outsideLinks, outsideLinksError } from './symlinks.js';

export const SNAPSHOT_ROOT = SNAPSHOTS_DIR;
export const SNAPSHOT_RESTORE_JOURNAL = `${SNAPSHOT_ROOT}/restore.json`;

interface ManifestEntry {
  rel: string;
  type: RunEntry['type'];
  mode: number;
  size: number;
  mtimeMs: number;
  linkTarget?: string;
}

interface Manifest {
  format: 'tidemark-hardlink-snapshot/1';
  createdAt: string;
  entries: ManifestEntry[];
}

export interface SnapshotResult {
  /** `.tidemark/snapshots/<id>` relative to the run root. */
  ref: string;
  entries: number;
  bytes: number;
  ms: number;
}

export async function takeHardlinkSnapshot(
  dir: string,
  options: { preserve?: readonly string[] } = {},
): Promise<SnapshotResult> {
  const t0 = performance.now();
  const root = resolve(dir);
  const entries = await listRunEntries(root, normalizePreserved(options.preserve));
  const outside = await outsideLinks(root, entries);
  if (outside.length > 0) throw outsideLinksError({ dir: root }, outside, 'No snapshot was taken');
  const now = new Date();
  // Sortable by time to the millisecond (pruning keeps the newest), unique by the random tail.
  const id = `${compactUtc(now)}-${String(now.getUTCMilliseconds()).padStart(3, '0')}-${randomUUID().slice(0, 6)}`;
  const base = join(root, SNAPSHOT_ROOT);
  const building = join(base, `${id}.partial`);
  await mkdir(join(building, 'tree'), { recursive: true });
  try {
    for (const e of entries) {
      const dest = join(building, 'tree', e.rel);
      if (e.type === 'dir') await mkdir(dest);
      else if (e.type === 'symlink') await symlink(e.linkTarget ?? '', dest);
      else await link(e.abs, dest);
    }
    const manifest: Manifest = {
      format: 'tidemark-hardlink-snapshot/1',
      createdAt: new Date().toISOString(),
      entries: entries.map(({ rel, type, mode, size, mtimeMs, linkTarget }) => ({
        rel,
        type,
        mode,
        size,
        mtimeMs,
        ...(linkTarget === undefined ? {} : { linkTarget }),
      })),
    };
    await writeJsonDurable(join(building, 'manifest.json'), manifest);
    await rename(building, join(base, id));
    await fsyncDir(base);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw new RunDirsGuardError('SNAPSHOT_FAILED', `could not take a hard-link snapshot: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    ref: `${SNAPSHOT_ROOT}/${id}`,
    entries: entries.length,
    bytes: totalBytes(entries),
    ms: Math.round(performance.now() - t0),
  };
}

async function loadManifest(root: string, ref: string): Promise<{ dir: string; manifest: Manifest }> {
  const snapshots = join(root, SNAPSHOT_ROOT);
  const dir = resolve(root, ref);
  if (!dir.startsWith(`${snapshots}${sep}`) || dir.slice(snapshots.length + 1).includes(sep)) {
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `snapshot "${ref}" is not a folder of ${SNAPSHOT_ROOT}/; refusing to restore from it`,
    );
  }
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.format !== 'tidemark-hardlink-snapshot/1')
      throw new Error(`unknown format ${String(manifest.format)}`);
    return { dir, manifest };
  } catch (error) {
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `snapshot "${ref}" has no readable manifest: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Every file of the snapshot still holds what it held when taken (no in-place write reached it). */
async function verifySnapshot(dir: string, ref: string, manifest: Manifest): Promise<void> {
  for (const e of manifest.entries) {
    const abs = join(dir, 'tree', e.rel);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      throw new RunDirsGuardError('RESTORE_FAILED', `snapshot "${ref}" is missing ${e.rel}; the run was not touched`);
    }
    if (e.type === 'file' && (st.size !== e.size || Math.abs(st.mtimeMs - e.mtimeMs) >= 1)) {
      throw new RunDirsGuardError(
        'RESTORE_FAILED',
        `snapshot "${ref}": ${e.rel} was modified in place after the snapshot (size ${e.size} -> ${st.size}); a hard-link snapshot cannot restore it. The run was not touched; restore from the zip archive instead`,
      );
    }
  }
}

export async function restoreHardlinkSnapshot(
  dir: string,
  ref: string,
  options: { preserve?: readonly string[] } = {},
): Promise<{ ref: string; entries: number; ms: number }> {
  const t0 = performance.now();
  const root = resolve(dir);
  const preserved = normalizePreserved(options.preserve);
  const { dir: snap, manifest } = await loadManifest(root, ref);
  await verifySnapshot(snap, ref, manifest);
  await writeJsonDurable(join(root, SNAPSHOT_RESTORE_JOURNAL), { ref, at: new Date().toISOString() });
  try {
    await clearExcept(
      root,
      (rel) => isPreserved(rel, preserved),
      (rel) => holdsPreserved(rel, preserved),
    );
    for (const e of manifest.entries) {
      if (isPreserved(e.rel, preserved)) continue;
      const dest = join(root, e.rel);
      if (e.type === 'dir') await mkdir(dest, { recursive: true });
      else if (e.type === 'symlink') await symlink(e.linkTarget ?? '', dest);
      else await link(join(snap, 'tree', e.rel), dest);
    }
    await applyModesAndTimes(
      root,
      manifest.entries.map((e) => ({ rel: e.rel, type: e.type, mode: e.mode, mtime: e.mtimeMs / 1000 })),
    );
    await fsyncDir(root);
  } catch (error) {
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `restore from snapshot "${ref}" was interrupted: ${(error as Error).message}; rerun the restore`,
      { cause: error },
    );
  }
  await removeDurable(join(root, SNAPSHOT_RESTORE_JOURNAL));
  return { ref, entries: manifest.entries.length, ms: Math.round(performance.now() - t0) };
}

export async function finishInterruptedSnapshotRestore(
  dir: string,
  options: { preserve?: readonly string[] } = {},
): Promise<string | null> {
  const root = resolve(dir);
  let ref: string;
  try {
    ref = (JSON.parse(await readFile(join(root, SNAPSHOT_RESTORE_JOURNAL), 'utf8')) as { ref: string }).ref;
  } catch {
    return null;
  }
  await restoreHardlinkSnapshot(root, ref, options);
  return ref;
}

/** Keeps the newest `keep` snapshots (and drops `.partial` leftovers of a crash). */
export async function pruneSnapshots(dir: string, keep: number, protect: readonly string[] = []): Promise<string[]> {
  const base = join(resolve(dir), SNAPSHOT_ROOT);
  let names: string[];
  try {
    names = (await readdir(base, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
  const partial = names.filter((n) => n.endsWith('.partial'));
  const complete = names.filter((n) => !n.endsWith('.partial'));
  const drop = [...partial, ...complete.slice(0, Math.max(0, complete.length - keep))].filter(
    (n) => !protect.includes(`${SNAPSHOT_ROOT}/${n}`),
  );
  for (const n of drop) await rm(join(base, n), { recursive: true, force: true });
  return drop;
}
