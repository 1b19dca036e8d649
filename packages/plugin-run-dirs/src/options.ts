// Plugin options: the guard options (redis, snapshot kind, disk, ...) configure the default guard stack.
import type { Guard, Migration, Trait } from '@tidemark/core';
import type { RunDirGuardOptions } from './guards/default-guards.js';
import type { RunDirTarget } from './target.js';

export const PLUGIN_NAME = 'run-dirs';

/** Guard options (redis, snapshot kind, disk, ...) configure the default guard stack `defaultRunDirGuards`. */
export interface RunDirsPluginOptions extends RunDirGuardOptions {
  /** Guards, outermost first; replaces the default stack (READONLY refusal, .nodb locks, disk, snapshot, temp sweep). */
  guards?: readonly Guard<RunDirTarget>[];
  /** Replace the built-in migrations (tests, custom bundles). */
  migrations?: readonly Migration<RunDirTarget>[];
  traits?: readonly Trait<RunDirTarget>[];
}
