// After a crash (kill -9, power loss) the file discipline leaves at worst a temp file beside an intact
// original. The next run, holding the lease, removes them before its steps write anything.
import { defineGuard, type Guard } from '@tidemark/core';
import { sweepOrphanTemps } from '../file-ops.js';
import { isOutsideSnapshot, type RunDirTarget } from '../target.js';

export function tempSweepGuard<T extends RunDirTarget>(): Guard<T> {
  return defineGuard<T>({
    name: 'temp-sweep',
    async aroundRun(ctx, next) {
      const removed = await sweepOrphanTemps(ctx.target.dir, isOutsideSnapshot);
      if (removed.length > 0) ctx.emit('orphan-temps-removed', { files: removed });
      await next();
    },
  });
}
