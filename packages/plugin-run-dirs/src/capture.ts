// A run directory is already plain files: capturing one is a copy (minus archives/, the live lock and snapshots).
import { cp } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isOutsideSnapshot, relativeToRun, type RunDirTarget } from './target.js';

export async function captureRunDir(target: RunDirTarget, dir: string): Promise<void> {
  const root = resolve(target.dir);
  await cp(root, dir, {
    recursive: true,
    preserveTimestamps: true,
    errorOnExist: true,
    force: false,
    filter: (source) => {
      const rel = relativeToRun(target, source);
      return rel === '' || !isOutsideSnapshot(rel);
    },
  });
}
