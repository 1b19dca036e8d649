// The shipped migrations, in order. A function of the resolved config: the sheet name, key header, backup
// folder and rollback mode are the app's, so each step is built for them.
import type { Migration } from '@tidemark/core';
import type { Config } from '../options.js';
import type { SheetsTarget } from '../target.js';
import { createBackup } from './001_create_backup.js';
import { addColumns } from './002_add_v3_columns.js';
import { verifySchema } from './003_verify_schema.js';
import { initVersions } from './004_initialize_versions.js';
import { smokeChecks } from './005_smoke_checks.js';

export function migrations(config: Config): Migration<SheetsTarget>[] {
  return [createBackup(config), addColumns(config), verifySchema(config), initVersions(config), smokeChecks(config)];
}
