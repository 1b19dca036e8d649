import { defineMigration, type Migration } from '@tidemark/core';
import { BACKUP_STEP, findBackup } from '../backup.js';
import { addV3Columns, removeV3Columns } from '../columns.js';
import type { Config } from '../options.js';
import { classify, viewSheet } from '../inspect.js';
import type { SheetsTarget } from '../target.js';

export const ADD_COLUMNS_STEP = '002_add_v3_columns';

/** Seed step 2: Ocupado_Por, Fecha_Ocupacion, version after the last v2.1 column, in one atomic batchUpdate. */
export function addColumns(config: Config): Migration<SheetsTarget> {
  return defineMigration<SheetsTarget>({
    id: ADD_COLUMNS_STEP,
    title: 'Add the v3.0 columns Ocupado_Por, Fecha_Ocupacion, version',
    requires: [BACKUP_STEP],
    async up(ctx) {
      const result = await addV3Columns(ctx.target, config);
      ctx.log(result === 'added' ? 'v3.0 columns inserted' : 'v3.0 columns already present (resumed run)');
    },
    // The three columns are in place, as the last headers, after the sheet's v2.1 columns.
    async validate(ctx) {
      const c = classify(await viewSheet(ctx.target), config.schema);
      if (c.shape === 'v3.0') return [];
      const where = `${ctx.target.sheetName}!1:1`;
      return c.problems.length > 0 ? c.problems.map((message) => ({ message, where })) : [{ message: `the v3.0 columns ${config.schema.added.join(', ')} are missing`, where }];
    },
    async down(ctx) {
      const backup = config.rollbackMode === 'backup' ? await findBackup(ctx.target, config) : undefined;
      const result = await removeV3Columns(ctx.target, config, config.rollbackMode, backup?.fileId);
      ctx.log(`rollback (${result.mode}) verified: removed ${result.removedColumns.join(', ') || 'nothing'}${result.restoredRows ? `, restored ${result.restoredRows} rows from the backup` : ''}`, { ...result });
    },
  });
}
