// Plugin options, resolved once: schema, rollback policy, chunking, clock.
import type { Migration } from '@tidemark/core';
import { schemaOf, type SheetSchema } from './schema.js';
import type { SheetsTarget } from './target.js';

export type RollbackMode = 'columns' | 'backup';

export interface SheetsPluginOptions {
  /**
   * Your own migrations, run after the shipped ones (their `requires` may name shipped ids); traits and guards stay the
   * plugin's.
   */
  migrations?: readonly Migration<SheetsTarget>[];
  /** The v2.1 headers in order (default: the 65 ZEUES headers in `V21_HEADERS`). */
  legacyHeaders?: readonly string[];
  /** Header whose non-empty cell marks an existing row (default TAG_SPOOL). */
  keyHeader?: string;
  rollback?: {
    /**
     * `columns` (default): delete the three v3.0 columns; keeps every v2.1 edit made since the migration.
     * `backup`: restore every value of the sheet from the Drive backup copy (edits made since are lost).
     */
    mode?: RollbackMode;
    /** Days after the migration during which rollback is allowed. Default 7. */
    windowDays?: number;
    /** Explicitly allow a rollback outside the window. */
    override?: boolean;
    /** Keep the Drive backup after a verified rollback. Default false (it equals the restored sheet). */
    keepBackup?: boolean;
  };
  /** Drive folder for the backup copy (default: the spreadsheet's own folder). */
  backupFolderId?: string;
  /**
   * Rows per values.batchUpdate of `004_initialize_versions`; a checkpoint is saved between chunks. Default 100 000.
   */
  chunkRows?: number;
  /** Clock for the rollback window and lock leases (tests). */
  clock?: () => number;
}

export interface Config {
  schema: SheetSchema;
  rollbackMode: RollbackMode;
  windowMs: number;
  override: boolean;
  keepBackup: boolean;
  backupFolderId: string | undefined;
  chunkRows: number;
  clock: () => number;
}

export function resolveConfig(options: SheetsPluginOptions = {}): Config {
  const windowDays = options.rollback?.windowDays ?? 7;
  return {
    schema: schemaOf({
      ...(options.legacyHeaders ? { legacyHeaders: options.legacyHeaders } : {}),
      ...(options.keyHeader ? { keyHeader: options.keyHeader } : {}),
    }),
    rollbackMode: options.rollback?.mode ?? 'columns',
    windowMs: windowDays * 24 * 3600 * 1000,
    override: options.rollback?.override ?? false,
    keepBackup: options.rollback?.keepBackup ?? false,
    backupFolderId: options.backupFolderId,
    chunkRows: Math.max(1, options.chunkRows ?? 100_000),
    clock: options.clock ?? Date.now,
  };
}
