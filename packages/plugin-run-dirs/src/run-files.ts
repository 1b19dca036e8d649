// Read-side helpers over a run directory (writes go through file-ops.ts).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { RunDirError } from './errors.js';
import { parsePyJson, type PyValue } from './json/py-json.js';
import { runPath, type RunDirTarget } from './target.js';

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** File names (not folders) directly in `rel` of the run; [] when the folder is missing. */
export async function listFiles(target: RunDirTarget, rel = ''): Promise<string[]> {
  try {
    const entries = await readdir(runPath(target, rel), { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
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
