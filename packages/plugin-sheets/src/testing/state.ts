// A spreadsheet's observable state in tests and golden fixtures: every sheet's grid size and formatted values
// (the ledger, kept in developer metadata, is left out). A fixture is one CSV per sheet plus spreadsheet.json
// with the grid properties, the same files `tidemark new` / `corpus capture` write.
import { createError } from '@tidemark/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSpreadsheetFiles, type SpreadsheetState } from '../capture.js';
import { parseCsv } from '../csv.js';

export type { SpreadsheetState };

export type CellValue = string | number | boolean;

/** Typed-in values: numbers become numbers, as USER_ENTERED would. */
export function typed(v: string): CellValue {
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return Number(v);
  return v;
}

export function formatted(v: CellValue): string {
  return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
}

/** Trailing empty cells and rows are not observable through the API. */
export function trimValues(values: string[][]): string[][] {
  const rows = values.map((r) => {
    const x = [...r];
    while (x.length && x[x.length - 1] === '') x.pop();
    return x;
  });
  while (rows.length && rows[rows.length - 1]!.length === 0) rows.pop();
  return rows;
}

export async function loadFixture(dir: string): Promise<SpreadsheetState> {
  const file = join(dir, 'spreadsheet.json');
  let meta: {
    title: string;
    sheets: { title: string; rowCount: number; columnCount: number; hidden?: boolean; file: string }[];
  };
  try {
    meta = JSON.parse(await readFile(file, 'utf8')) as typeof meta;
  } catch (error) {
    throw createError('plugin-sheets', `fixture ${file}`, { cause: error });
  }
  const sheets = [];
  for (const s of meta.sheets) {
    const values = parseCsv(await readFile(join(dir, s.file), 'utf8'));
    sheets.push({
      title: s.title,
      rowCount: s.rowCount,
      columnCount: s.columnCount,
      hidden: s.hidden ?? false,
      values: trimValues(values),
    });
  }
  return { title: meta.title, sheets };
}

export async function writeFixture(state: SpreadsheetState, dir: string): Promise<void> {
  await writeSpreadsheetFiles(state, dir);
}

/** Compares as a person reads the sheet: a typed-in number and its text are the same cell. */
export function normalizeState(state: SpreadsheetState): SpreadsheetState {
  return {
    ...state,
    sheets: state.sheets.map((sh) => ({
      ...sh,
      values: trimValues(sh.values.map((r) => r.map((v) => formatted(typed(v))))),
    })),
  };
}
