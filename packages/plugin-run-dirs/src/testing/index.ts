// `@tidemark/plugin-run-dirs/testing`: the @tidemark/testing harness for an app's own run-directory
// migrations (appended after the built-in ones; `builtIn: false` for yours only). A target is a temp copy of
// a case's run; the state is every file of the run (parquet as rows, text with the run's path written
// {RUN_DIR}, anything else base64, a symlink as its target text) except Tidemark's `.tidemark/` and `archives/`, so an
// app's file shows
// in golden `after/`. A fixture's before/ and after/ hold one folder named after the run id.
import { createError } from '@tidemark/core';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listCases, type PluginHarness } from '@tidemark/testing';
import fc, { type Arbitrary } from 'fast-check';
import type { RunDirsPluginOptions } from '../options.js';
import { runDirsPlugin } from '../plugin.js';
import { createRunFromState, readRunState, writeRunState, type RunState } from '../run-state.js';
import type { RunDirTarget } from '../target.js';

export {
  buildLegacyRun,
  buildLegacyPup,
  noiseBytes,
  LEGACY_RUN_TRAITS,
  LEGACY_RUN_EXTRAS,
  type LegacyRunOptions,
  type LegacyRunContent,
  type LegacyRunTrait,
  type LegacyRunExtra,
} from './legacy-run.js';
export {
  RUN_DIR_PLACEHOLDER,
  readRunState,
  writeRunState,
  createRunFromState,
  type RunState,
  type FileState,
} from '../run-state.js';

/** The one run folder of a fixture's before/ or after/ folder, as state. */
export async function loadFixtureRun(dir: string): Promise<RunState> {
  const runs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  if (runs.length !== 1)
    throw createError(
      'plugin-run-dirs',
      `fixture ${dir}: expected exactly one run folder (named after the run id), found ${runs.length}`,
    );
  return readRunState({ dir: join(dir, runs[0]!.name), runId: runs[0]!.name });
}

/** Writes a state as a fixture folder: `<dir>/<runId>/...`, the run's path as {RUN_DIR}. */
export async function writeFixtureRun(state: RunState, dir: string): Promise<void> {
  await writeRunState(state, join(dir, state.runId), { keepPlaceholder: true });
}

/** The `before/` states of every golden case under `dir` (for `states`). */
export async function goldenStates(dir: string): Promise<RunState[]> {
  // A case that expects a refusal is no legacy target the laws can migrate.
  return Promise.all(
    listCases(dir)
      .filter((c) => c.spec.expectError === undefined)
      .map((c) => loadFixtureRun(join(c.path, 'before'))),
  );
}

export interface RunDirsHarnessOptions extends RunDirsPluginOptions {
  /** Legacy runs the laws run over; default `states`. */
  arbitrary?: Arbitrary<RunState>;
  /** States for the laws when no `arbitrary` is given: e.g. `await goldenStates(fixturesDir)`. */
  states?: readonly RunState[];
  /**
   * Every migration can be undone (a `down`, or the snapshot guard); default true (the snapshot guard restores a failed
   * run).
   */
  reversible?: boolean;
}

function statesArbitrary(states: readonly RunState[] | undefined): Arbitrary<RunState> {
  if (states && states.length > 0) return fc.constantFrom(...states);
  return fc.constant(null).map(() => {
    throw createError(
      'plugin-run-dirs',
      'runDirsHarness: give `arbitrary` or `states` (e.g. await goldenStates(fixturesDir)) to run the laws',
    );
  });
}

/** Defaults for tests: hardlink snapshots (fast) and no disk-space check, unless given. */
export function runDirsHarness(options: RunDirsHarnessOptions = {}): PluginHarness<RunDirTarget, RunState> {
  const { arbitrary, states, reversible, ...pluginOptions } = options;
  const cleanups = new Map<string, () => Promise<void>>();
  return {
    plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false, ...pluginOptions }),
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
    fixture: { load: loadFixtureRun, write: writeFixtureRun },
    arbitrary: arbitrary ?? statesArbitrary(states),
    reversible: reversible ?? true,
    runner: { lock: { ttlMs: 10_000 } },
  };
}
