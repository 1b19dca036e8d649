// The @tidemark/testing harness for run directories.
import { join } from 'node:path';
import type { PluginHarness } from '@tidemark/testing';
import { runDirsPlugin } from '../plugin.js';
import { createRunFromState, readRunState, writeRunState, type RunState } from '../run-state.js';
import { loadFixtureRun } from '../testing/index.js';
import type { RunDirTarget } from '../target.js';
import { legacyRunArbitrary } from './arbitrary.js';

export { loadFixtureRun };

export type RunTarget = RunDirTarget;

const cleanups = new Map<string, () => Promise<void>>();

export const runDirsHarness: PluginHarness<RunTarget, RunState> = {
  plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }),
  async create(state) {
    const { target, cleanup } = await createRunFromState(state);
    cleanups.set(target.dir, cleanup);
    return target;
  },
  read: (target) => readRunState(target),
  async dispose(target) {
    await cleanups.get(target.dir)?.();
    cleanups.delete(target.dir);
  },
  fixture: {
    load: loadFixtureRun,
    write: (state, dir) => writeRunState(state, join(dir, state.runId), { keepPlaceholder: true }),
  },
  arbitrary: legacyRunArbitrary,
  reversible: true,
  runner: { lock: { ttlMs: 10_000 } },
};
