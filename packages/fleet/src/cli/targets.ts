// `tidemark fleet enqueue <root|run ids>`: each argument is a run folder, a root of runs, or a run id.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { discoverRuns, isRunDir, type DiscoverOptions } from '@tidemark/plugin-run-dirs';
import type { EnqueueItem } from '../jobs/queue.js';
import { assertRunId, resolveRunDir } from '../jobs/resolve-run.js';

export async function resolveTargets(args: readonly string[], options: DiscoverOptions & { root?: string } = {}): Promise<EnqueueItem[]> {
  const out = new Map<string, EnqueueItem>();
  for (const arg of args) {
    const isDir = (await stat(arg).catch(() => null))?.isDirectory() ?? false;
    if (isDir && (await isRunDir(arg))) {
      const dir = resolve(arg);
      out.set(basename(dir), { runId: basename(dir), dir });
    } else if (isDir) {
      for (const run of await discoverRuns(resolve(arg), options)) if (run.layout !== 'pup') out.set(run.runId, { runId: run.runId, dir: resolve(run.dir) });
    } else {
      assertRunId(arg);
      const dir = options.root ? await resolveRunDir(options.root, arg) : null;
      out.set(arg, { runId: arg, ...(dir ? { dir } : {}) });
    }
  }
  return [...out.values()];
}
