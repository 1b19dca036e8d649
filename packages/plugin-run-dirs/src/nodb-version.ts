// `nodb.version`, read and written as wepppy/nodb/version.py does: ASCII decimal + newline, written via a
// temp file in the run root, fsync, rename. A missing/empty/unparsable/non-positive marker means: a run with
// `*.nodb` files is legacy (0); a run without any is new (CURRENT_VERSION).
import { readdir, readFile } from 'node:fs/promises';
import type { VersionStamp } from '@tidemark/core';
import { writeFileAtomic } from './file-ops.js';
import { runPath, type RunDirTarget } from './target.js';

export const NODB_VERSION_FILE = 'nodb.version';
/** The real system's current version: runs created by today's WEPPcloud. */
export const CURRENT_VERSION = 1000;
/** A run with `.nodb` files and no usable marker. */
export const LEGACY_VERSION = 0;

/** The parsed marker, or null when it is missing, empty, not an integer, or <= 0. */
export async function readVersionMarker(target: RunDirTarget): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(runPath(target, NODB_VERSION_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return null;
  const value = Number.parseInt(trimmed, 10);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

export async function hasNodbFiles(target: RunDirTarget): Promise<boolean> {
  const entries = await readdir(target.dir, { withFileTypes: true });
  return entries.some((e) => e.isFile() && e.name.endsWith('.nodb'));
}

export async function readVersion(target: RunDirTarget): Promise<number> {
  const marker = await readVersionMarker(target);
  if (marker !== null) return marker;
  return (await hasNodbFiles(target)) ? LEGACY_VERSION : CURRENT_VERSION;
}

export async function writeVersion(target: RunDirTarget, version: number): Promise<void> {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RangeError(`[tidemark] [run-dirs] ${runPath(target, NODB_VERSION_FILE)}: version must be a non-negative integer, got ${version}`);
  }
  await writeFileAtomic(runPath(target, NODB_VERSION_FILE), `${version}\n`);
}

export const nodbVersionStamp: VersionStamp<RunDirTarget> = { read: readVersion, write: writeVersion };
