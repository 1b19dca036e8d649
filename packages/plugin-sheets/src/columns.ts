// Adding the v3.0 columns and taking them away again: each is ONE spreadsheets.batchUpdate, which Sheets
// applies all-or-nothing, followed (for rollback) by a read that proves the sheet is v2.1 again.
import type { sheets_v4 } from '@googleapis/sheets';
import { TidemarkError } from '@tidemark/core';
import { columnLetter } from './a1.js';
import { PLUGIN } from './client.js';
import type { Config, RollbackMode } from './options.js';
import { classify, label, readValues, refuse, viewSheet, type Cell, type SheetView } from './inspect.js';
import type { SheetsTarget } from './target.js';

async function batchUpdate(target: SheetsTarget, requests: sheets_v4.Schema$Request[]): Promise<void> {
  const { session } = target;
  const sheets = await session.sheets();
  const res = await session.call('sheets.batchUpdate', 'structure', (o) =>
    sheets.spreadsheets.batchUpdate(
      {
        spreadsheetId: target.spreadsheetId,
        requestBody: { requests, includeSpreadsheetInResponse: true, responseIncludeGridData: false },
      },
      o,
    ),
  );
  // Our own write's answer carries the new sheet properties: no extra read needed.
  if (res.updatedSpreadsheet) session.cache.props = res.updatedSpreadsheet;
}

export type AddResult = 'added' | 'already-present';

export async function addV3Columns(target: SheetsTarget, config: Config): Promise<AddResult> {
  const view = await viewSheet(target);
  const c = classify(view, config.schema);
  if (c.shape === 'v3.0') return 'already-present'; // resumed after the insert landed but before it was recorded
  if (c.shape !== 'v2.1') refuse(target, 'cannot add the v3.0 columns: the sheet is not at v2.1', c.problems);
  // After the sheet's last header: the app finds columns by name, and extra columns stay where they are.
  const start = c.width;
  await batchUpdate(target, [
    {
      insertDimension: {
        range: {
          sheetId: view.sheetId,
          dimension: 'COLUMNS',
          startIndex: start,
          endIndex: start + config.schema.added.length,
        },
        inheritFromBefore: true,
      },
    },
    {
      updateCells: {
        start: { sheetId: view.sheetId, rowIndex: 0, columnIndex: start },
        rows: [{ values: config.schema.added.map((h) => ({ userEnteredValue: { stringValue: h } })) }],
        fields: 'userEnteredValue',
      },
    },
  ]);
  return 'added';
}

export function toExtendedValue(cell: Cell | undefined): sheets_v4.Schema$CellData {
  if (cell === undefined || cell === null || cell === '') return {};
  if (typeof cell === 'number') return { userEnteredValue: { numberValue: cell } };
  if (typeof cell === 'boolean') return { userEnteredValue: { boolValue: cell } };
  if (cell.startsWith('=')) return { userEnteredValue: { formulaValue: cell } };
  return { userEnteredValue: { stringValue: cell } };
}

/** Index ranges [start, end) of the added columns present in row 1, merged, last first (so indexes stay valid). */
function addedColumnRanges(view: SheetView, config: Config): [number, number][] {
  const idx = config.schema.added
    .map((h) => view.headers.indexOf(h))
    .filter((i) => i >= 0)
    .sort((a, b) => b - a);
  const ranges: [number, number][] = [];
  for (const i of idx) {
    const last = ranges[ranges.length - 1];
    if (last && last[0] === i + 1) last[0] = i;
    else ranges.push([i, i + 1]);
  }
  return ranges;
}

export interface RemoveResult {
  removedColumns: string[];
  restoredRows: number;
  mode: RollbackMode;
}

/**
 * Rollback of `002_add_v3_columns`. `columns`: deleteDimension of the added columns. `backup`: the same deletes
 * plus an updateCells over the whole sheet with the backup's values (cells the backup does not cover are
 * cleared), in the same all-or-nothing batchUpdate. Then a fresh read verifies the result.
 */
export async function removeV3Columns(
  target: SheetsTarget,
  config: Config,
  mode: RollbackMode,
  backupId: string | undefined,
): Promise<RemoveResult> {
  const view = await viewSheet(target);
  const ranges = addedColumnRanges(view, config);
  const requests: sheets_v4.Schema$Request[] = ranges.map(([s, e]) => ({
    deleteDimension: { range: { sheetId: view.sheetId, dimension: 'COLUMNS', startIndex: s, endIndex: e } },
  }));
  let backup: Cell[][] | undefined;
  if (mode === 'backup') {
    if (!backupId)
      throw new TidemarkError(
        'NOT_SUPPORTED',
        'rollback mode "backup" needs the Drive backup, but the ledger records none; use mode "columns"',
        { plugin: PLUGIN, target: label(target) },
      );
    backup = await readValues(target, backupId, target.sheetName);
    if (backup.length > view.rowCount)
      requests.push({
        appendDimension: { sheetId: view.sheetId, dimension: 'ROWS', length: backup.length - view.rowCount },
      });
    requests.push({
      updateCells: {
        range: { sheetId: view.sheetId },
        rows: backup.map((row) => ({ values: row.map(toExtendedValue) })),
        fields: 'userEnteredValue',
      },
    });
  }
  if (requests.length > 0) await batchUpdate(target, requests);

  const after = await viewSheet(target);
  const problems = classify(after, config.schema);
  if (problems.shape !== 'v2.1') {
    throw new TidemarkError(
      'STEP_FAILED',
      `rollback verification failed: the sheet is not v2.1 after removing the v3.0 columns: ${problems.problems.join('; ')}`,
      { plugin: PLUGIN, target: label(target) },
    );
  }
  if (backup) {
    const diff = firstDifference(backup, after.values);
    if (diff)
      throw new TidemarkError(
        'STEP_FAILED',
        `rollback verification failed: ${diff} differs from the backup ${backupId}`,
        { plugin: PLUGIN, target: label(target) },
      );
  }
  return {
    removedColumns: ranges
      .flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => `${columnLetter(s + k)} ${view.headers[s + k]}`))
      .reverse(),
    restoredRows: backup?.length ?? 0,
    mode,
  };
}

const norm = (v: Cell | undefined) => (v === undefined || v === null ? '' : v);

/** "row 5 column C" of the first cell where two value grids differ (trailing empties ignored), or null. */
export function firstDifference(expected: Cell[][], actual: Cell[][], width = Infinity): string | null {
  const rows = Math.max(expected.length, actual.length);
  for (let r = 0; r < rows; r++) {
    const a = expected[r] ?? [];
    const b = actual[r] ?? [];
    const cols = Math.min(width, Math.max(a.length, b.length));
    for (let c = 0; c < cols; c++) {
      if (norm(a[c]) !== norm(b[c]))
        return `row ${r + 1} column ${columnLetter(c)} (expected ${JSON.stringify(norm(a[c]))}, found ${JSON.stringify(norm(b[c]))})`;
    }
  }
  return null;
}
