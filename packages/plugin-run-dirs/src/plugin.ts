// The run-dirs plugin: a plain object (the harness spreads and wraps it), built from options.
import { definePlugin, type Guard, type Migration, type Plugin, type Trait } from '@tidemark/core';
import { captureRunDir } from './capture.js';
import { runDirLedger } from './ledger.js';
import { nodbVersionStamp } from './nodb-version.js';
import { scaffoldRunDirMigration } from './scaffold.js';
import { describeTarget, type RunDirTarget } from './target.js';

export const PLUGIN_NAME = 'run-dirs';

export interface RunDirsPluginOptions {
  /** Guards, outermost first. Default: none besides what the caller passes to the runner. */
  guards?: readonly Guard<RunDirTarget>[];
  /** Replace the built-in migrations (tests, custom bundles). */
  migrations?: readonly Migration<RunDirTarget>[];
  traits?: readonly Trait<RunDirTarget>[];
}

export function runDirsPlugin(options: RunDirsPluginOptions = {}): Plugin<RunDirTarget> {
  return definePlugin<RunDirTarget>({
    name: PLUGIN_NAME,
    migrations: options.migrations ?? [],
    traits: options.traits ?? [],
    guards: options.guards ?? [],
    ledger: runDirLedger,
    describe: describeTarget,
    stamp: nodbVersionStamp,
    capture: captureRunDir,
    scaffold: scaffoldRunDirMigration,
  });
}
