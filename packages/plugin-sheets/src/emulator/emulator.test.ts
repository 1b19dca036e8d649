// The emulator against the documented behaviour of Sheets v4 / Drive v3, driven through the official clients.
import { afterAll, describe, expect, it } from 'vitest';
import { sheets as sheetsApi } from '@googleapis/sheets';
import { drive as driveApi } from '@googleapis/drive';
import { startEmulator, testAuth } from '../test/harness.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;
const auth = testAuth();
const sheets = sheetsApi({ version: 'v4', auth });
const drive = driveApi({ version: 'v3', auth });
const opts = { retry: false } as const;

const seed = () =>
  emulator.createSpreadsheet('Doc', [
    { title: 'Hoja 1', values: [['a', 'b', 'c'], [1, '', 'x'], [], ['', '', '']], rowCount: 6, columnCount: 4 },
    { title: 'Otra', values: [['z']] },
  ]);

async function apiError(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    const err = e as { status?: number; response?: { status: number; data: unknown } };
    return { status: err.response?.status ?? err.status, body: err.response?.data };
  }
  throw new Error('expected an API error');
}

describe('Sheets v4 emulator', () => {
  it('spreadsheets.get: sheets with sheetId, index, gridProperties; hidden only when true', async () => {
    const id = seed();
    const { data } = await sheets.spreadsheets.get({ spreadsheetId: id }, opts);
    expect(data.sheets?.map((s) => s.properties)).toEqual([
      { sheetId: 0, title: 'Hoja 1', index: 0, sheetType: 'GRID', gridProperties: { rowCount: 6, columnCount: 4 } },
      {
        sheetId: 1001,
        title: 'Otra',
        index: 1,
        sheetType: 'GRID',
        gridProperties: { rowCount: 1000, columnCount: 26 },
      },
    ]);
  });

  it('values.get: quoted sheet names, trailing empty cells and rows trimmed, range clamped to the grid', async () => {
    const id = seed();
    const { data } = await sheets.spreadsheets.values.get({ spreadsheetId: id, range: "'Hoja 1'!A1:Z100" }, opts);
    expect(data).toEqual({
      range: "'Hoja 1'!A1:D6",
      majorDimension: 'ROWS',
      values: [
        ['a', 'b', 'c'],
        ['1', '', 'x'],
      ],
    });
    const unformatted = await sheets.spreadsheets.values.get(
      { spreadsheetId: id, range: "'Hoja 1'!A2", valueRenderOption: 'UNFORMATTED_VALUE' },
      opts,
    );
    expect(unformatted.data.values).toEqual([[1]]);
    const empty = await sheets.spreadsheets.values.get({ spreadsheetId: id, range: "'Hoja 1'!D1:D3" }, opts);
    expect(empty.data.values).toBeUndefined();
  });

  it('values.update: USER_ENTERED parses numbers and booleans, RAW keeps strings, null leaves a cell unchanged', async () => {
    const id = seed();
    await sheets.spreadsheets.values.update(
      {
        spreadsheetId: id,
        range: "'Hoja 1'!A5:C5",
        valueInputOption: 'USER_ENTERED',
        requestBody: { values: [['12', 'true', null]] },
      },
      opts,
    );
    await sheets.spreadsheets.values.update(
      { spreadsheetId: id, range: "'Hoja 1'!C2", valueInputOption: 'RAW', requestBody: { values: [['007']] } },
      opts,
    );
    const { data } = await sheets.spreadsheets.values.batchGet(
      { spreadsheetId: id, ranges: ["'Hoja 1'!A5:C5", "'Hoja 1'!C2"], valueRenderOption: 'UNFORMATTED_VALUE' },
      opts,
    );
    expect(data.valueRanges?.map((v) => v.values)).toEqual([[[12, true]], [['007']]]);
  });

  it('writes outside the grid or the given range are 400 INVALID_ARGUMENT with the documented body', async () => {
    const id = seed();
    const outside = await apiError(
      sheets.spreadsheets.values.update(
        { spreadsheetId: id, range: "'Hoja 1'!E1", valueInputOption: 'RAW', requestBody: { values: [['x']] } },
        opts,
      ),
    );
    expect(outside).toEqual({
      status: 400,
      body: {
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: "Range ('Hoja 1'!E1) exceeds grid limits. Max rows: 6, max columns: 4",
        },
      },
    });
    const wide = await apiError(
      sheets.spreadsheets.values.update(
        {
          spreadsheetId: id,
          range: "'Hoja 1'!A1:B1",
          valueInputOption: 'RAW',
          requestBody: { values: [['x', 'y', 'z']] },
        },
        opts,
      ),
    );
    expect(wide.status).toBe(400);
    const noInput = await apiError(
      sheets.spreadsheets.values.update(
        { spreadsheetId: id, range: "'Hoja 1'!A1", requestBody: { values: [['x']] } },
        opts,
      ),
    );
    expect(noInput.body).toMatchObject({ error: { message: "'valueInputOption' is required but not specified" } });
  });

  it('values.append finds the table and inserts rows; values.clear empties a range', async () => {
    const id = seed();
    const { data } = await sheets.spreadsheets.values.append(
      {
        spreadsheetId: id,
        range: "'Hoja 1'!A:C",
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values: [['n1'], ['n2']] },
      },
      opts,
    );
    expect(data.updates?.updatedRange).toBe("'Hoja 1'!A3:A4");
    const cleared = await sheets.spreadsheets.values.clear({ spreadsheetId: id, range: "'Hoja 1'!A1:A1" }, opts);
    expect(cleared.data.clearedRange).toBe("'Hoja 1'!A1:A1");
    const { data: grid } = await sheets.spreadsheets.get({ spreadsheetId: id }, opts);
    expect(grid.sheets?.[0]?.properties?.gridProperties?.rowCount).toBe(8);
    const all = await sheets.spreadsheets.values.get({ spreadsheetId: id, range: "'Hoja 1'" }, opts);
    expect(all.data.values).toEqual([['', 'b', 'c'], ['1', '', 'x'], ['n1'], ['n2']]);
  });

  it('batchUpdate is all-or-nothing: one bad request and nothing applies', async () => {
    const id = seed();
    const bad = await apiError(
      sheets.spreadsheets.batchUpdate(
        {
          spreadsheetId: id,
          requestBody: {
            requests: [
              { insertDimension: { range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 1, endIndex: 3 } } },
              { deleteDimension: { range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 0, endIndex: 9 } } },
            ],
          },
        },
        opts,
      ),
    );
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { message: string } }).error.message).toMatch(
      /^Invalid requests\[1\]\.deleteDimension: Cannot delete a column that doesn't exist/,
    );
    const { data } = await sheets.spreadsheets.get({ spreadsheetId: id }, opts);
    expect(data.sheets?.[0]?.properties?.gridProperties?.columnCount).toBe(4);
  });

  it('insertDimension / deleteDimension shift cells; addSheet hidden; updateCells with a range clears what rows do not cover', async () => {
    const id = seed();
    const { data } = await sheets.spreadsheets.batchUpdate(
      {
        spreadsheetId: id,
        requestBody: {
          requests: [
            { insertDimension: { range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 1, endIndex: 2 } } },
            { deleteDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 2, endIndex: 3 } } },
            { addSheet: { properties: { title: '_ledger', hidden: true } } },
            {
              updateCells: {
                range: { sheetId: 1001 },
                rows: [{ values: [{ userEnteredValue: { numberValue: 5 } }] }],
                fields: 'userEnteredValue',
              },
            },
          ],
        },
      },
      opts,
    );
    expect(data.replies?.[2]).toMatchObject({ addSheet: { properties: { title: '_ledger', hidden: true } } });
    const got = await sheets.spreadsheets.values.batchGet({ spreadsheetId: id, ranges: ["'Hoja 1'", 'Otra'] }, opts);
    expect(got.data.valueRanges?.map((v) => v.values)).toEqual([
      [
        ['a', '', 'b', 'c'],
        ['1', '', '', 'x'],
      ],
      [['5']],
    ]);
    const dup = await apiError(
      sheets.spreadsheets.batchUpdate(
        { spreadsheetId: id, requestBody: { requests: [{ addSheet: { properties: { title: 'Otra' } } }] } },
        opts,
      ),
    );
    expect((dup.body as { error: { message: string } }).error.message).toContain(
      'A sheet with the name "Otra" already exists',
    );
  });

  it('developer metadata: create (fixed id is unique), get, search, delete by lookup', async () => {
    const id = seed();
    const create = (metadataId?: number, value = 'v') =>
      sheets.spreadsheets.batchUpdate(
        {
          spreadsheetId: id,
          requestBody: {
            requests: [
              {
                createDeveloperMetadata: {
                  developerMetadata: {
                    ...(metadataId ? { metadataId } : {}),
                    metadataKey: 'k',
                    metadataValue: value,
                    location: { spreadsheet: true },
                    visibility: 'DOCUMENT',
                  },
                },
              },
            ],
          },
        },
        opts,
      );
    await create(42);
    const again = await apiError(create(42));
    expect((again.body as { error: { message: string } }).error.message).toContain(
      'Developer metadata with ID 42 already exists',
    );
    await create(undefined, 'w');
    const got = await sheets.spreadsheets.developerMetadata.get({ spreadsheetId: id, metadataId: 42 }, opts);
    expect(got.data).toMatchObject({
      metadataId: 42,
      metadataKey: 'k',
      metadataValue: 'v',
      location: { locationType: 'SPREADSHEET', spreadsheet: true },
      visibility: 'DOCUMENT',
    });
    const found = await sheets.spreadsheets.developerMetadata.search(
      { spreadsheetId: id, requestBody: { dataFilters: [{ developerMetadataLookup: { metadataKey: 'k' } }] } },
      opts,
    );
    expect(found.data.matchedDeveloperMetadata?.map((m) => m.developerMetadata?.metadataValue)).toEqual(['v', 'w']);
    const del = await sheets.spreadsheets.batchUpdate(
      {
        spreadsheetId: id,
        requestBody: {
          requests: [
            {
              deleteDeveloperMetadata: {
                dataFilter: { developerMetadataLookup: { metadataId: 42, metadataValue: 'not-v' } },
              },
            },
          ],
        },
      },
      opts,
    );
    expect(del.data.replies?.[0]).toEqual({ deleteDeveloperMetadata: { deletedDeveloperMetadata: [] } });
    const missing = await apiError(
      sheets.spreadsheets.developerMetadata.get({ spreadsheetId: id, metadataId: 7 }, opts),
    );
    expect(missing.status).toBe(404);
    const { data } = await sheets.spreadsheets.get({ spreadsheetId: id }, opts);
    expect(data.developerMetadata).toHaveLength(2);
  });

  it('injected faults: a status on the Nth request (with Retry-After), a network cut, a missing token', async () => {
    const id = seed();
    emulator.failRequest(emulator.count + 1, 429, 7);
    const throttled = (await sheets.spreadsheets.get({ spreadsheetId: id }, opts).then(
      () => null,
      (e: { response: { status: number; headers: Headers; data: unknown } }) => e.response,
    ))!;
    expect(throttled.status).toBe(429);
    expect(new Headers(throttled.headers).get('retry-after')).toBe('7');
    expect(throttled.data).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    emulator.cutNetworkAt(emulator.count + 1);
    await expect(sheets.spreadsheets.get({ spreadsheetId: id }, opts)).rejects.toThrow();
    emulator.restoreNetwork();
    const anonymous = sheetsApi({ version: 'v4' });
    const denied = await apiError(anonymous.spreadsheets.get({ spreadsheetId: id }, opts));
    expect(denied).toMatchObject({ status: 401, body: { error: { status: 'UNAUTHENTICATED' } } });
  });
});

describe('Drive v3 emulator', () => {
  it('files.copy duplicates the spreadsheet (values and developer metadata); files.get; files.delete; 404 body', async () => {
    const id = seed();
    await sheets.spreadsheets.batchUpdate(
      {
        spreadsheetId: id,
        requestBody: {
          requests: [
            {
              createDeveloperMetadata: {
                developerMetadata: { metadataKey: 'k', location: { spreadsheet: true }, visibility: 'DOCUMENT' },
              },
            },
          ],
        },
      },
      opts,
    );
    const { data: copy } = await drive.files.copy(
      { fileId: id, requestBody: { name: 'backup', appProperties: { of: id } } },
      opts,
    );
    expect(copy).toMatchObject({
      kind: 'drive#file',
      name: 'backup',
      mimeType: 'application/vnd.google-apps.spreadsheet',
    });
    const values = await sheets.spreadsheets.values.get({ spreadsheetId: copy.id!, range: "'Hoja 1'!A1:C1" }, opts);
    expect(values.data.values).toEqual([['a', 'b', 'c']]);
    const meta = await sheets.spreadsheets.get({ spreadsheetId: copy.id! }, opts);
    expect(meta.data.developerMetadata).toHaveLength(1);
    const got = await drive.files.get({ fileId: copy.id!, fields: 'id,name,appProperties' }, opts);
    expect(got.data.appProperties).toEqual({ of: id });
    await drive.files.delete({ fileId: copy.id! }, opts);
    const gone = await apiError(drive.files.get({ fileId: copy.id! }, opts));
    expect(gone).toEqual({
      status: 404,
      body: {
        error: {
          code: 404,
          status: 'NOT_FOUND',
          message: `File not found: ${copy.id}.`,
          errors: [{ domain: 'global', reason: 'notFound', message: `File not found: ${copy.id}.` }],
        },
      },
    });
    const sheetGone = await apiError(sheets.spreadsheets.get({ spreadsheetId: copy.id! }, opts));
    expect(sheetGone.status).toBe(404);
  });
});
