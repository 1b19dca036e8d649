// What a snapshot of a run holds: every file, folder and symlink below the run root except the paths that
// are not the run's data (its archives, the snapshots themselves, a live lock file). Archive, snapshot
// and restore all share this one list so they can never disagree about what a run is.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ARCHIVES_DIR, LOCK_FILE, SNAPSHOTS_DIR, isOutsideSnapshot } from '../target.js';

/** Paths (POSIX, relative to the run root) that snapshots never hold and restores never touch. */
export const ALWAYS_PRESERVED: readonly string[] = [ARCHIVES_DIR, SNAPSHOTS_DIR, LOCK_FILE];

export interface RunEntry {
  /** POSIX path relative to the run root, no trailing slash. */
  rel: string;
  abs: string;
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits (and setuid/setgid/sticky), without the file-type bits. */
  mode: number;
  size: number;
  mtimeMs: number;
  /** For symlinks: where it points, as stored. */
  linkTarget?: string;
}

export function normalizePreserved(extra: readonly string[] = []): string[] {
  return [
    ...new Set(
      [...ALWAYS_PRESERVED, ...extra].map((p) => posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\/+|\/+$/g, '')),
    ),
  ];
}

/** True when `rel` is a preserved path or lies below one. */
export function isPreserved(rel: string, preserved: readonly string[]): boolean {
  return isOutsideSnapshot(rel) || preserved.some((p) => rel === p || rel.startsWith(`${p}/`));
}

/** True when `rel` is a strict ancestor folder of a preserved path (it must be walked into, not dropped). */
export function holdsPreserved(rel: string, preserved: readonly string[]): boolean {
  return preserved.some((p) => p.startsWith(`${rel}/`));
}

/** Every entry of the run except preserved paths, parents before children, sorted for stable archives. */
export async function listRunEntries(root: string, preserved: readonly string[]): Promise<RunEntry[]> {
  const out: RunEntry[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const names = (await readdir(relDir ? join(root, relDir) : root)).sort();
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      if (isPreserved(rel, preserved)) continue;
      const abs = join(root, rel);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) {
        out.push({ rel, abs, type: 'symlink', mode, size: 0, mtimeMs: st.mtimeMs, linkTarget: await readlink(abs) });
      } else if (st.isDirectory()) {
        out.push({ rel, abs, type: 'dir', mode, size: 0, mtimeMs: st.mtimeMs });
        await walk(rel);
      } else if (st.isFile()) {
        out.push({ rel, abs, type: 'file', mode, size: st.size, mtimeMs: st.mtimeMs });
      }
      // Sockets, FIFOs and devices are not run data: never archived (a restore clears them like any other entry).
    }
  };
  await walk('');
  return out;
}

export function totalBytes(entries: readonly RunEntry[]): number {
  return entries.reduce((sum, e) => sum + e.size, 0);
}
