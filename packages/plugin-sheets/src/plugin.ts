// The plugin factory: a plain object (the test harness spreads and wraps it).
import { definePlugin, type Migration, type Plugin } from '@tidemark/core';
import { readSpreadsheet, writeSpreadsheetFiles } from './capture.js';
import { rehearseOnCopy } from './rehearse.js';
import { resolveConfig, type Config, type SheetsPluginOptions } from './options.js';
import { restoreOnFailureGuard, rollbackWindowGuard } from './guards/index.js';
import { label } from './inspect.js';
import { sheetsLedger } from './ledger.js';
import { migrations } from './migrations/index.js';
import { scaffoldSheetsMigration } from './scaffold.js';
import type { SheetsTarget } from './target.js';
import { sheetsTraits } from './traits/index.js';

export const PLUGIN_NAME = 'plugin-sheets';

/** The shipped migrations built for a resolved config (see migrations/index.ts). */
export const sheetsMigrations: (config: Config) => Migration<SheetsTarget>[] = migrations;

export function sheetsPlugin(options: SheetsPluginOptions = {}): Plugin<SheetsTarget> {
  const config = resolveConfig(options);
  // A failed `up` is undone by deleting what it added (never by the backup: nothing else changed meanwhile).
  const undoConfig: Config = { ...config, rollbackMode: 'columns', keepBackup: false };
  const own = options.migrations ?? [];
  const undo = [...sheetsMigrations(undoConfig), ...own];
  return definePlugin<SheetsTarget>({
    name: PLUGIN_NAME,
    migrations: [...sheetsMigrations(config), ...own],
    traits: sheetsTraits(config),
    guards: [rollbackWindowGuard(config), restoreOnFailureGuard(config, () => undo)],
    ledger: (target) => sheetsLedger(target, config.clock),
    describe: (target) => label(target),
    rehearse: (target) => rehearseOnCopy(target, config),
    scaffold: scaffoldSheetsMigration,
    capture: async (target, dir) =>
      writeSpreadsheetFiles(await readSpreadsheet(target.session, target.spreadsheetId), dir),
  });
}
