// Plain, diffable copies of a spreadsheet: one CSV per sheet (formatted values, as a person sees them) plus
// spreadsheet.json with grid sizes and hidden tabs. Used for `tidemark corpus capture` and by the golden cases.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteSheet } from './a1.js';
import { toCsv } from './csv.js';
import type { SheetsSession } from './client.js';

export interface SpreadsheetState {
  title: string;
  sheets: { title: string; rowCount: number; columnCount: number; hidden: boolean; values: string[][] }[];
}

/** Reads every sheet of a spreadsheet: one spreadsheets.get and one values.batchGet. */
export async function readSpreadsheet(session: SheetsSession, spreadsheetId: string): Promise<SpreadsheetState> {
  const sheets = await session.sheets();
  const props = await session.call('sheets.get', 'read', (o) =>
    sheets.spreadsheets.get({ spreadsheetId, fields: 'properties.title,sheets.properties' }, o),
  );
  const list = (props.sheets ?? []).map((s) => s.properties ?? {});
  const values = list.length
    ? await session.call('sheets.values.batchGet', 'read', (o) =>
        sheets.spreadsheets.values.batchGet(
          { spreadsheetId, ranges: list.map((p) => quoteSheet(p.title ?? '')), valueRenderOption: 'FORMATTED_VALUE' },
          o,
        ),
      )
    : { valueRanges: [] };
  return {
    title: props.properties?.title ?? '',
    sheets: list.map((p, i) => ({
      title: p.title ?? '',
      rowCount: p.gridProperties?.rowCount ?? 0,
      columnCount: p.gridProperties?.columnCount ?? 0,
      hidden: p.hidden ?? false,
      values: ((values.valueRanges?.[i]?.values ?? []) as unknown[][]).map((r) => r.map((v) => String(v ?? ''))),
    })),
  };
}

export async function writeSpreadsheetFiles(state: SpreadsheetState, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const sheets = state.sheets.map((s) => ({
    title: s.title,
    rowCount: s.rowCount,
    columnCount: s.columnCount,
    ...(s.hidden ? { hidden: true } : {}),
    file: `${s.title.replace(/[^A-Za-z0-9_-]/g, '_')}.csv`,
  }));
  await writeFile(join(dir, 'spreadsheet.json'), JSON.stringify({ title: state.title, sheets }, null, 2) + '\n');
  for (const [i, s] of state.sheets.entries()) await writeFile(join(dir, sheets[i]!.file), toCsv(s.values));
}
