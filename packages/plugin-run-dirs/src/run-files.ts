// Read-side helpers over a run directory (writes go through file-ops.ts). Symlinks are data, never followed:
// a link is not a file (lstat), and a path whose folder is reached through a link is not the run's
// (see the README, "Symlinks").
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { RunDirError } from './errors.js';
import { parsePyJson, type PyValue } from './json/py-json.js';
import { runPath, type RunDirTarget } from './target.js';

/** True when something (a file, folder, or a symlink, dangling or not) is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

const missing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** A regular file at `path` itself: a symlink (to a file or not) is not one. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch (error) {
    if (missing(error)) return false;
    throw error;
  }
}

/**
 * True when no folder on the way from the run root to `rel` is a symlink (the root itself may be reached
 * through links, e.g. `/wc1 -> /geodata/wc1`). What lies below a linked folder is not the run's to read or write.
 */
export async function noLinkOnTheWay(target: RunDirTarget, rel: string): Promise<boolean> {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 1; i < parts.length; i++) {
    try {
      if (!(await lstat(runPath(target, ...parts.slice(0, i)))).isDirectory()) return false;
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
  }
  return true;
}

/** A regular file of the run at `rel` (POSIX, relative to the root), reached without following any link. */
export async function isRunFile(target: RunDirTarget, rel: string): Promise<boolean> {
  return (await noLinkOnTheWay(target, rel)) && (await isFile(runPath(target, rel)));
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** File names (not folders) directly in `rel` of the run; [] when the folder is missing. */
export async function listFiles(target: RunDirTarget, rel = ''): Promise<string[]> {
  // A folder that is a link (or lies below one) lists as empty: the plugin never reads through links.
  if (rel !== '' && !(await noLinkOnTheWay(target, `${rel}/-`))) return [];
  try {
    const entries = await readdir(runPath(target, rel), { withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return [];
    throw error;
  }
}

/** A Python-written JSON file (NaN allowed); invalid JSON is an error naming the file, line and column. */
export async function readPyJsonFile(target: RunDirTarget, rel: string): Promise<{ text: string; value: PyValue }> {
  const text = await readFile(runPath(target, rel), 'utf8');
  if (text.trim() === '') throw new RunDirError(`${rel}: empty file, expected JSON`, { file: rel });
  try {
    return { text, value: parsePyJson(text) };
  } catch (error) {
    throw new RunDirError(`${rel}: invalid JSON: ${(error as Error).message}`, { file: rel, cause: error });
  }
}
