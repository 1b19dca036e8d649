// An archive of a run needs room next to it, and the migrations write new files before removing old ones:
// refusing up front beats a half-written archive or a migration that dies on ENOSPC.
import { statfs } from 'node:fs/promises';
import { defineGuard, type Guard } from '@tidemark/core';
import { RunDirsGuardError } from './refusal.js';
import { normalizePreserved, listRunEntries, totalBytes } from './run-files.js';
import { shortLabel, type RunTargetLike } from './run-identity.js';

export interface DiskSpaceOptions {
  /** Free bytes to keep beyond what the run needs. Default 100 MiB. */
  reserveBytes?: number;
  /** Needed space as a multiple of the run's size (archive + new files). Default 1.1. */
  runSizeFactor?: number;
  /** Paths not counted (already excluded from archives). */
  preserve?: readonly string[];
}

export interface DiskSpaceReport {
  freeBytes: number;
  runBytes: number;
  neededBytes: number;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export async function checkDiskSpace(target: RunTargetLike, options: DiskSpaceOptions = {}): Promise<DiskSpaceReport> {
  const fs = await statfs(target.dir);
  const freeBytes = Number(fs.bavail) * Number(fs.bsize);
  const runBytes = totalBytes(await listRunEntries(target.dir, normalizePreserved(options.preserve)));
  const neededBytes =
    Math.ceil(runBytes * (options.runSizeFactor ?? 1.1)) + (options.reserveBytes ?? 100 * 1024 * 1024);
  if (freeBytes < neededBytes) {
    throw new RunDirsGuardError(
      'DISK_SPACE',
      `run "${shortLabel(target)}": not enough free disk to migrate safely: need ${formatBytes(neededBytes)} ` +
        `(run ${formatBytes(runBytes)} x ${options.runSizeFactor ?? 1.1} + reserve ${formatBytes(options.reserveBytes ?? 100 * 1024 * 1024)}), ` +
        `${formatBytes(freeBytes)} free on the run's filesystem; nothing was changed`,
    );
  }
  return { freeBytes, runBytes, neededBytes };
}

export function diskSpaceGuard<T extends RunTargetLike>(options: DiskSpaceOptions = {}): Guard<T> {
  return defineGuard<T>({
    name: 'run-dirs:disk-space',
    async aroundRun(ctx, next) {
      const report = await checkDiskSpace(ctx.target, options);
      ctx.emit('disk-space-ok', { ...report });
      await next();
    },
  });
}
