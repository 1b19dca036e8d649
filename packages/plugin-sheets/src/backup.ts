// The Drive backup: files.copy of the whole spreadsheet before anything changes. `001_create_backup` records
// its id in its own ledger entry (`ctx.record`), so rollback on any machine finds it.
import { TidemarkError } from '@tidemark/core';
import { ApiCallError, PLUGIN } from './client.js';
import type { Config } from './options.js';
import { label } from './inspect.js';
import { sheetsLedger } from './ledger.js';
import type { SheetsTarget } from './target.js';

export const BACKUP_STEP = '001_create_backup';

export async function copySpreadsheet(
  target: SheetsTarget,
  config: Config,
  runLabel: string,
): Promise<{ fileId: string; at: string }> {
  const { session } = target;
  const drive = await session.drive();
  const at = new Date(config.clock()).toISOString();
  const file = await session.call('drive.files.copy', 'meta', (o) =>
    drive.files.copy(
      {
        fileId: target.spreadsheetId,
        supportsAllDrives: true,
        fields: 'id,name',
        requestBody: {
          name: `${runLabel} backup before v3.0 ${at}`,
          ...(config.backupFolderId ? { parents: [config.backupFolderId] } : {}),
          appProperties: { tidemarkBackupOf: target.spreadsheetId, tidemarkSheet: target.sheetName },
        },
      },
      o,
    ),
  );
  if (!file.id)
    throw new TidemarkError('STEP_FAILED', 'drive.files.copy returned no file id', {
      plugin: PLUGIN,
      target: label(target),
    });
  return { fileId: file.id, at };
}

/** The backup of the current migration: from this process's memory, else from the ledger entry. */
export async function findBackup(
  target: SheetsTarget,
  config: Config,
): Promise<{ fileId: string; at: string; verified?: boolean } | undefined> {
  if (target.session.backup) return target.session.backup;
  const entry = (await sheetsLedger(target, config.clock).read()).find(
    (e) => e.id === BACKUP_STEP && e.outcome === 'applied',
  );
  const data = entry?.data as { backupId?: string; backupAt?: string } | undefined;
  if (!data?.backupId) return undefined;
  target.session.backup = { fileId: data.backupId, at: data.backupAt ?? entry!.at };
  return target.session.backup;
}

export async function deleteBackup(target: SheetsTarget, fileId: string): Promise<boolean> {
  const { session } = target;
  const drive = await session.drive();
  try {
    await session.call('drive.files.delete', 'meta', (o) => drive.files.delete({ fileId, supportsAllDrives: true }, o));
    return true;
  } catch (error) {
    if (error instanceof ApiCallError && error.info.code === 404) return false;
    throw error;
  }
}

/** The backup's Drive file (id and appProperties), or null when it is gone. */
export async function backupFile(
  target: SheetsTarget,
  fileId: string,
): Promise<{ id?: string | null; appProperties?: Record<string, string> | null } | null> {
  const { session } = target;
  const drive = await session.drive();
  try {
    return await session.call('drive.files.get', 'meta', (o) =>
      drive.files.get({ fileId, supportsAllDrives: true, fields: 'id,appProperties' }, o),
    );
  } catch (error) {
    if (error instanceof ApiCallError && error.info.code === 404) return null;
    throw error;
  }
}
