import { defineMigration, type Migration } from '@tidemark/core';
import { BACKUP_STEP, copySpreadsheet, deleteBackup, findBackup } from '../backup.js';
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
      ctx.target.session.backup = backup;
      ctx.record({ backupId: backup.fileId, backupAt: backup.at });
      ctx.log(`backup ${backup.fileId} created`, { backupId: backup.fileId });
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
