// A run with a READONLY marker in its root must never be written: not by a step, not by an archive.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { defineGuard, type Guard } from '@tidemark/core';
import { RunDirsGuardError } from './refusal.js';
import { shortLabel, type RunTargetLike } from './run-identity.js';

export async function isReadonlyRun(dir: string): Promise<boolean> {
  try {
    await access(join(dir, 'READONLY'));
    return true;
  } catch {
    return false;
  }
}

export async function assertWritableRun(target: RunTargetLike): Promise<void> {
  if (await isReadonlyRun(target.dir)) {
    throw new RunDirsGuardError(
      'READONLY',
      `run "${shortLabel(target)}" is READONLY (file READONLY in its root); nothing was changed`,
    );
  }
}

export function readonlyGuard<T extends RunTargetLike>(): Guard<T> {
  return defineGuard<T>({
    name: 'run-dirs:readonly',
    // Before the lease: even the lock file is a write a READONLY run must never get.
    async preflight(ctx) {
      await assertWritableRun(ctx.target);
    },
    // Checked again under the lease, in case the marker appeared while this runner waited for the lock.
    async aroundRun(ctx, next) {
      await assertWritableRun(ctx.target);
      await next();
    },
  });
}
