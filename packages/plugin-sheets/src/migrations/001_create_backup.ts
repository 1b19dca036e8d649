import { defineMigration, type Migration } from '@tidemark/core';
import { BACKUP_STEP, backupFile, copySpreadsheet, deleteBackup, findBackup } from '../backup.js';
import type { Config } from '../options.js';
import { assertMigratable } from '../preflight.js';
import type { SheetsTarget } from '../target.js';

/** Seed step 1: a Drive `files.copy` of the whole spreadsheet, taken after the shape check and before any write. */
export function createBackup(config: Config): Migration<SheetsTarget> {
  return defineMigration<SheetsTarget>({
    id: BACKUP_STEP,
    title: 'Back up the spreadsheet (Drive files.copy)',
    async up(ctx) {
      await assertMigratable(ctx.target, config);
      const backup = await copySpreadsheet(ctx.target, config, 'tidemark');
      ctx.target.session.backup = { ...backup, verified: true };
      ctx.record({ backupId: backup.fileId, backupAt: backup.at });
      ctx.log(`backup ${backup.fileId} created`, { backupId: backup.fileId });
    },
    // The recorded copy still exists in Drive and is a backup of this spreadsheet (this process's own copy,
    // just made, is trusted without another request).
    async validate(ctx) {
      const target = ctx.target;
      const backup = await findBackup(target, config);
      if (!backup) return [{ message: 'no backup id recorded on the ledger entry of 001_create_backup', where: 'ledger' }];
      if (backup.verified) return [];
      const file = await backupFile(target, backup.fileId);
      if (!file) return [{ message: `the backup ${backup.fileId} recorded in the ledger is gone from Drive`, where: `drive:${backup.fileId}` }];
      if (file.appProperties?.tidemarkBackupOf !== target.spreadsheetId) {
        return [{ message: `drive file ${backup.fileId} is not a backup of ${target.spreadsheetId} (appProperties.tidemarkBackupOf = ${JSON.stringify(file.appProperties?.tidemarkBackupOf ?? null)})`, where: `drive:${backup.fileId}` }];
      }
      return [];
    },
    async down(ctx) {
      const backup = await findBackup(ctx.target, config);
      if (!backup || config.keepBackup) {
        if (backup) ctx.log(`backup ${backup.fileId} kept (keepBackup)`, { backupId: backup.fileId });
        return;
      }
      const deleted = await deleteBackup(ctx.target, backup.fileId);
      ctx.target.session.backup = undefined;
      ctx.log(deleted ? `backup ${backup.fileId} deleted after the verified rollback` : `backup ${backup.fileId} was already gone`, { backupId: backup.fileId });
    },
  });
}
