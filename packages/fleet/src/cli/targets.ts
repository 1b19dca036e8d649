// `tidemark fleet enqueue <root|run ids>`: each argument is a run folder, a root of runs, or a run id.
// A root yields every run under it, each `_pups` child as its own run (`<runid>/_pups/<path>`), parent
// first; a run folder yields that run only (a child folder is named after its parent).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { discoverRuns, isRunDir, type DiscoverOptions } from '@tidemark/plugin-run-dirs';
import type { EnqueueItem } from '../jobs/queue.js';
import { resolveFleetRunDir } from '../jobs/resolve-run.js';
import { assertFleetRunId, fleetRunIdOf } from '../runs/run-ids.js';

export async function resolveTargets(
  args: readonly string[],
  options: DiscoverOptions & { root?: string } = {},
): Promise<EnqueueItem[]> {
  const out = new Map<string, EnqueueItem>();
  for (const arg of args) {
    const isDir = (await stat(arg).catch(() => null))?.isDirectory() ?? false;
    if (isDir && (await isRunDir(arg))) {
      const dir = resolve(arg);
      const runId = await fleetRunIdOf(dir);
      out.set(runId, { runId, dir });
    } else if (isDir) {
      for (const run of await discoverRuns(resolve(arg), options)) {
        assertFleetRunId(run.name);
        out.set(run.name, { runId: run.name, dir: resolve(run.dir) });
      }
    } else {
      assertFleetRunId(arg);
      const dir = options.root ? await resolveFleetRunDir(options.root, arg) : null;
      out.set(arg, { runId: arg, ...(dir ? { dir } : {}) });
    }
  }
  return [...out.values()];
}
