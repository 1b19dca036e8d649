// The one door through which every change to a run directory goes. Rules: never write a file in place
// (write a temp file beside it, fsync, rename over the old name, fsync the folder), so a crash leaves either
// the old or the new file and never half of one, and a hard-link snapshot keeps the old inode untouched.
// Tests and fault injection hook every operation here (`onFileOp`).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RunDirError } from './errors.js';

export type FileOpKind = 'write' | 'rename' | 'link' | 'unlink' | 'mkdir' | 'rmdir';

export interface FileOp {
  kind: FileOpKind;
  /** The path written, created or removed (for rename/link: the destination). */
  path: string;
  /** For rename/link: the source. */
  from?: string;
  /** 1-based count of hooked operations since the hook was installed. */
  n: number;
}

/** Called before each operation takes effect (for a write: after the temp file is durable, before the rename). */
export type FileOpHook = (op: FileOp) => void | Promise<void>;

interface Installed {
  hook: FileOpHook;
  count: number;
}

const hooks = new Set<Installed>();

/** Observe (or fail) every file operation made by migrations. Returns the uninstaller. */
export function onFileOp(hook: FileOpHook): () => void {
  const entry: Installed = { hook, count: 0 };
  hooks.add(entry);
  return () => {
    hooks.delete(entry);
  };
}

/** Fault injection: the `n`-th operation (1-based) throws instead of taking effect. Returns the uninstaller. */
export function injectFaultAt(
  n: number,
  makeError: (op: FileOp) => Error = (op) =>
    new Error(`injected fault at file operation #${op.n} (${op.kind} ${op.path})`),
  filter?: (op: Omit<FileOp, 'n'>) => boolean,
): () => void {
  let count = 0;
  const entry: Installed = {
    count: 0,
    hook: (op) => {
      if (filter && !filter(op)) return;
      count++;
      if (count === n) throw makeError({ ...op, n: count });
    },
  };
  hooks.add(entry);
  return () => {
    hooks.delete(entry);
  };
}

interface OpOptions {
  /** Tidemark's own bookkeeping (ledger, lock): not hooked, so fault injection targets migration work only. */
  internal?: boolean;
}

async function fire(op: Omit<FileOp, 'n'>, options: OpOptions | undefined): Promise<void> {
  if (options?.internal) return;
  for (const entry of [...hooks]) {
    entry.count++;
    await entry.hook({ ...op, n: entry.count });
  }
}

/**
 * Temp files are `<name>.tidemark-<8 hex>.tmp` beside the target (for nodb.version this matches the real
 * `nodb.version.*.tmp`).
 */
export const TEMP_FILE = /\.tidemark-[0-9a-f]{8}\.tmp$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `${basename(path)}.tidemark-${randomBytes(4).toString('hex')}.tmp`);
}

async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a folder; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Write `data` to `path` atomically: temp file, fsync, rename, fsync the folder. Creates parent folders. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: OpOptions & { mode?: number } = {},
): Promise<void> {
  await ensureDir(dirname(path), options);
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fire({ kind: 'write', path }, options);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** Rename `from` to `to` (same filesystem), creating the destination folder; replaces an existing `to`. */
export async function moveFile(from: string, to: string, options: OpOptions = {}): Promise<void> {
  await assertRealFolder(dirname(from));
  await ensureDir(dirname(to), options);
  await fire({ kind: 'rename', path: to, from }, options);
  await rename(from, to);
  await fsyncDir(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDir(dirname(from));
}

/** Hard link `from` at `to` (fails if `to` exists). */
export async function linkFile(from: string, to: string, options: OpOptions = {}): Promise<void> {
  await ensureDir(dirname(to), options);
  await fire({ kind: 'link', path: to, from }, options);
  await link(from, to);
  await fsyncDir(dirname(to));
}

/** The folder an operation takes a file from must be a real one too (see ensureDir). */
async function assertRealFolder(dir: string): Promise<void> {
  if ((await lstat(dir)).isSymbolicLink())
    throw new RunDirError(
      `refusing to change files through the symlink ${dir}: links in a run are data and never followed`,
      { file: dir },
    );
}

export async function removeFile(path: string, options: OpOptions = {}): Promise<void> {
  await assertRealFolder(dirname(path));
  await fire({ kind: 'unlink', path }, options);
  await unlink(path);
  await fsyncDir(dirname(path));
}

/**
 * Creates `dir` and its parents when missing (each new folder is one hooked operation). The folder a
 * write lands in must be a real folder: a symlink there (even one pointing inside the run) is refused, so
 * no operation of a migration is ever made through a link (README, "Symlinks").
 */
export async function ensureDir(dir: string, options: OpOptions = {}): Promise<void> {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    try {
      const st = await lstat(current);
      if (st.isSymbolicLink())
        throw new RunDirError(
          `refusing to write through the symlink ${current}: links in a run are data and never followed`,
          { file: current },
        );
      if (!st.isDirectory())
        throw Object.assign(new Error(`ENOTDIR: not a directory, ${current}`), { code: 'ENOTDIR' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.unshift(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  for (const d of missing) {
    await fire({ kind: 'mkdir', path: d }, options);
    await mkdir(d).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/** Removes an empty folder. */
export async function removeEmptyDir(dir: string, options: OpOptions = {}): Promise<void> {
  await fire({ kind: 'rmdir', path: dir }, options);
  await rmdir(dir);
}

/** Deletes temp files a crashed writer left under `dir` (call only while holding the run's lease). */
export async function sweepOrphanTemps(
  dir: string,
  skip: (relPath: string) => boolean = () => false,
): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (skip(child)) continue;
      if (e.isDirectory()) await walk(child);
      else if (TEMP_FILE.test(e.name)) {
        await unlink(join(dir, child)).catch(() => undefined);
        removed.push(child);
      }
    }
  };
  await walk('');
  return removed;
}
