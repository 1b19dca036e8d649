// Plugin options: the guard options (redis, snapshot kind, disk, ...) configure the default guard stack.
import type { Guard, Migration, Trait } from '@tidemark/core';
import type { RunDirGuardOptions } from './guards/default-guards.js';
import type { RunDirTarget } from './target.js';

/** The plugin's name: also its golden corpus folder, `fixtures/plugin-run-dirs/`. */
export const PLUGIN_NAME = 'plugin-run-dirs';

/** Guard options (redis, snapshot kind, disk, ...) configure the default guard stack `defaultRunDirGuards`. */
export interface RunDirsPluginOptions extends RunDirGuardOptions {
  /**
   * Guards, outermost first; replaces the default stack (READONLY refusal, .nodb locks, disk, snapshot, temp sweep).
   */
  guards?: readonly Guard<RunDirTarget>[];
  /** Your own migrations, run after the built-in ones (their `requires` may name built-in ids). */
  migrations?: readonly Migration<RunDirTarget>[];
  /** `false`: leave out the built-in migrations and their traits (a bundle of your own only). Default true. */
  builtIn?: boolean;
  /** Traits, replacing the built-in ones (which name the built-in migrations). */
  traits?: readonly Trait<RunDirTarget>[];
}
