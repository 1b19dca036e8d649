// The run-dirs plugin: a plain object (the harness spreads and wraps it), built from options.
import { definePlugin, type Plugin } from '@tidemark/core';
import { captureRunDir } from './capture.js';
import { defaultRunDirGuards } from './guards/index.js';
import { runDirLedger } from './ledger.js';
import { migrations as runDirMigrations } from './migrations/index.js';
import { nodbVersionStamp } from './nodb-version.js';
import { PLUGIN_NAME, type RunDirsPluginOptions } from './options.js';
import { rehearseRunDir } from './rehearse.js';
import { scaffoldRunDirMigration } from './scaffold.js';
import { describeTarget, type RunDirTarget } from './target.js';
import { traits as runDirTraits } from './traits/index.js';

export { PLUGIN_NAME, type RunDirsPluginOptions } from './options.js';

export function runDirsPlugin(options: RunDirsPluginOptions = {}): Plugin<RunDirTarget> {
  const builtIn = options.builtIn ?? true;
  return definePlugin<RunDirTarget>({
    name: PLUGIN_NAME,
    migrations: [...(builtIn ? runDirMigrations : []), ...(options.migrations ?? [])],
    // Without the built-in migrations, their traits (which name them) go too.
    traits: options.traits ?? (builtIn ? runDirTraits : []),
    guards: options.guards ?? defaultRunDirGuards(options),
    ledger: runDirLedger,
    describe: describeTarget,
    stamp: nodbVersionStamp,
    capture: captureRunDir,
    scaffold: scaffoldRunDirMigration,
    rehearse: (target) => rehearseRunDir(target),
  });
}
