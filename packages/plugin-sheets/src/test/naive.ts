// The seed's row-by-row approach, ported to the same official clients so the bench compares approaches, not
// libraries: gspread-style calls (open by key, worksheet metadata, row_values, add_cols, update_cell per cell),
// the coordinator's five steps in order, verification by sampling 10 random rows cell by cell.
import { columnLetter, quoteSheet } from '../a1.js';
import { V21_HEADERS, V30_ADDED_HEADERS } from '../schema.js';
import type { SheetsTarget } from '../target.js';

export async function naiveMigration(target: SheetsTarget): Promise<{ success: boolean }> {
  const { session, spreadsheetId } = target;
  const sheets = await session.sheets();
  const drive = await session.drive();
  const ws = quoteSheet(target.sheetName);
  const cell = (row: number, col: number) => `${ws}!${columnLetter(col - 1)}${row}`;
  const metadata = () => session.call('sheets.get', 'read', (o) => sheets.spreadsheets.get({ spreadsheetId }, o));
  const getCell = async (row: number, col: number) => {
    const r = await session.call('sheets.values.get', 'read', (o) =>
      sheets.spreadsheets.values.get({ spreadsheetId, range: cell(row, col) }, o),
    );
    return r.values?.[0]?.[0] ?? '';
  };
  const updateCell = (row: number, col: number, value: unknown) =>
    session.call('sheets.values.update', 'write', (o) =>
      sheets.spreadsheets.values.update(
        { spreadsheetId, range: cell(row, col), valueInputOption: 'USER_ENTERED', requestBody: { values: [[value]] } },
        o,
      ),
    );
  const rowValues = async (row: number) =>
    (
      await session.call('sheets.values.get', 'read', (o) =>
        sheets.spreadsheets.values.get({ spreadsheetId, range: `${ws}!${row}:${row}` }, o),
      )
    ).values?.[0] ?? [];
  const colValues = async (col: number) =>
    (
      (
        await session.call('sheets.values.get', 'read', (o) =>
          sheets.spreadsheets.values.get(
            { spreadsheetId, range: `${ws}!${columnLetter(col - 1)}:${columnLetter(col - 1)}` },
            o,
          ),
        )
      ).values ?? []
    ).map((r) => r[0] ?? '');

  // 1. backup_sheet.py: gc.copy(sheet_id)
  await session.call('drive.files.copy', 'meta', (o) =>
    drive.files.copy({ fileId: spreadsheetId, requestBody: { name: 'backup v2.1' } }, o),
  );

  // 2. add_v3_columns.py: open, worksheet(), row_values(1), add_cols(3), update_cell x3
  await metadata();
  const meta = await metadata();
  const sheet = meta.sheets!.find((s) => s.properties!.title === target.sheetName)!.properties!;
  const headers = await rowValues(1);
  if (headers.length !== V21_HEADERS.length) throw new Error('not v2.1');
  await session.call('sheets.batchUpdate', 'structure', (o) =>
    sheets.spreadsheets.batchUpdate(
      {
        spreadsheetId,
        requestBody: {
          requests: [
            {
              updateSheetProperties: {
                properties: {
                  sheetId: sheet.sheetId!,
                  gridProperties: { rowCount: sheet.gridProperties!.rowCount!, columnCount: headers.length + 3 },
                },
                fields: 'gridProperties',
              },
            },
          ],
        },
      },
      o,
    ),
  );
  for (const [i, h] of V30_ADDED_HEADERS.entries()) await updateCell(1, headers.length + 1 + i, h);

  // 3. verify_schema: row_values(1) + col_count
  const v3 = await rowValues(1);
  await metadata();
  if (v3.length !== 68) throw new Error('schema not 68 columns');

  // 4. initialize_versions: update_cell(row, version_col, 0) for every spool
  const tags = await colValues(1);
  for (let row = 2; row <= tags.length; row++) if (tags[row - 1]) await updateCell(row, 68, 0);

  // 5. verify_migration.py: 10 random rows, cell by cell
  const sample = Array.from({ length: 10 }, (_, i) => 2 + Math.floor(((i + 1) * (tags.length - 1)) / 11));
  let success = (await rowValues(1)).length === 68;
  for (const row of sample) {
    if (String(await getCell(row, 68)) !== '0') success = false;
    if ((await getCell(row, 66)) !== '' || (await getCell(row, 67)) !== '') success = false;
    if ((await getCell(row, 1)) !== tags[row - 1]) success = false;
  }
  return { success };
}
