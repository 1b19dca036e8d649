// Small durable-write helpers for the guards' own files (journals, manifests). A journal that is half
// written after a crash would be worse than none, so each is a temp file, fsync, rename, fsync of the folder.
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeJsonDurable(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

export async function removeDurable(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return;
  }
  await fsyncDir(dirname(path));
}

/**
 * Deletes every entry below `root` except preserved paths; folders that hold a preserved path are
 * walked into instead of removed. Returns nothing; throws on the first entry it cannot remove.
 */
export async function clearExcept(
  root: string,
  isKept: (rel: string) => boolean,
  isAncestorOfKept: (rel: string) => boolean,
  relDir = '',
): Promise<void> {
  const dir = relDir ? join(root, relDir) : root;
  for (const name of await readdir(dir)) {
    const rel = relDir ? `${relDir}/${name}` : name;
    if (isKept(rel)) continue;
    const abs = join(root, rel);
    const st = await lstat(abs);
    if (st.isDirectory() && isAncestorOfKept(rel)) {
      await clearExcept(root, isKept, isAncestorOfKept, rel);
      continue;
    }
    await rm(abs, { recursive: true, force: true });
  }
}

/** Moves everything in `from` into `to`, merging into folders that already exist there. */
export async function moveInto(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    let existing: Awaited<ReturnType<typeof lstat>> | undefined;
    try {
      existing = await lstat(dst);
    } catch {
      existing = undefined;
    }
    if (existing?.isDirectory() && (await lstat(src)).isDirectory()) {
      await moveInto(src, dst);
      await rmdir(src);
    } else {
      if (existing) await rm(dst, { recursive: true, force: true });
      await rename(src, dst);
    }
  }
}

/** YYYYmmddTHHMMSSZ, the real archive tool's timestamp. */
export function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
