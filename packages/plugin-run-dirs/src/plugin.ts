// The run-dirs plugin: a plain object (the harness spreads and wraps it), built from options.
import { definePlugin, type Guard, type Migration, type Plugin, type Trait } from '@tidemark/core';
import { captureRunDir } from './capture.js';
import { defaultRunDirGuards, type RunDirGuardOptions } from './guards/default-guards.js';
import { runDirLedger } from './ledger.js';
import { runDirMigrations, runDirTraits } from './migrations/index.js';
import { nodbVersionStamp } from './nodb-version.js';
import { rehearseRunDir } from './rehearse.js';
import { scaffoldRunDirMigration } from './scaffold.js';
import { describeTarget, type RunDirTarget } from './target.js';

export const PLUGIN_NAME = 'run-dirs';

/** Guard options (redis, snapshot kind, disk, ...) configure the default guard stack `defaultRunDirGuards`. */
export interface RunDirsPluginOptions extends RunDirGuardOptions {
  /** Guards, outermost first; replaces the default stack (READONLY refusal, .nodb locks, disk, snapshot, temp sweep). */
  guards?: readonly Guard<RunDirTarget>[];
  /** Replace the built-in migrations (tests, custom bundles). */
  migrations?: readonly Migration<RunDirTarget>[];
  traits?: readonly Trait<RunDirTarget>[];
}

export function runDirsPlugin(options: RunDirsPluginOptions = {}): Plugin<RunDirTarget> {
  return definePlugin<RunDirTarget>({
    name: PLUGIN_NAME,
    migrations: options.migrations ?? runDirMigrations,
    // Custom migrations come without the built-in traits (which name the built-in migrations).
    traits: options.traits ?? (options.migrations ? [] : runDirTraits),
    guards: options.guards ?? defaultRunDirGuards(options),
    ledger: runDirLedger,
    describe: describeTarget,
    stamp: nodbVersionStamp,
    capture: captureRunDir,
    scaffold: scaffoldRunDirMigration,
    rehearse: (target) => rehearseRunDir(target),
  });
}
