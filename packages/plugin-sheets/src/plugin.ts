// The plugin factory: a plain object (the test harness spreads and wraps it).
import { definePlugin, type Migration, type Plugin } from '@tidemark/core';
import { readSpreadsheet, writeSpreadsheetFiles } from './capture.js';
import { rehearseOnCopy } from './rehearse.js';
import { resolveConfig, type Config, type SheetsPluginOptions } from './config.js';
import { restoreOnFailureGuard, rollbackWindowGuard } from './guards.js';
import { label } from './inspect.js';
import { sheetsLedger } from './ledger.js';
import { createBackup } from './migrations/001_create_backup.js';
import { addColumns } from './migrations/002_add_v3_columns.js';
import { verifySchema } from './migrations/003_verify_schema.js';
import { initVersions } from './migrations/004_initialize_versions.js';
import { smokeChecks } from './migrations/005_smoke_checks.js';
import type { SheetsTarget } from './target.js';
import { sheetsTraits } from './traits.js';

export const PLUGIN_NAME = 'plugin-sheets';

export function sheetsMigrations(config: Config): Migration<SheetsTarget>[] {
  return [createBackup(config), addColumns(config), verifySchema(config), initVersions(config), smokeChecks(config)];
}

export function sheetsPlugin(options: SheetsPluginOptions = {}): Plugin<SheetsTarget> {
  const config = resolveConfig(options);
  // A failed `up` is undone by deleting what it added (never by the backup: nothing else changed meanwhile).
  const undoConfig: Config = { ...config, rollbackMode: 'columns', keepBackup: false };
  const undo = sheetsMigrations(undoConfig);
  return definePlugin<SheetsTarget>({
    name: PLUGIN_NAME,
    migrations: sheetsMigrations(config),
    traits: sheetsTraits(config),
    guards: [rollbackWindowGuard(config), restoreOnFailureGuard(config, () => undo)],
    ledger: (target) => sheetsLedger(target, config.clock),
    describe: (target) => label(target),
    rehearse: (target) => rehearseOnCopy(target, config),
    capture: async (target, dir) => writeSpreadsheetFiles(await readSpreadsheet(target.session, target.spreadsheetId), dir),
  });
}
