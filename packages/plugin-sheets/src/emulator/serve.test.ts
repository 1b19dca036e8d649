// The emulator served over real HTTP: the official clients reach it through rootUrl, writes land in the same
// model, and a path it does not serve is a 404 in the API's error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive as driveApi } from '@googleapis/drive';
import { sheets as sheetsApi } from '@googleapis/sheets';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli.js';
import { realLayoutValues } from '../test/sample.js';
import { serveEmulator, type ServedEmulator } from './serve.js';
import { GoogleEmulator } from './server.js';

const emulator = new GoogleEmulator();
let served: ServedEmulator;
beforeAll(async () => {
  served = await serveEmulator(emulator);
});
afterAll(() => served.close());

describe('serveEmulator', () => {
  it('answers the official Sheets and Drive clients over HTTP (API key auth) and keeps their writes', async () => {
    const id = emulator.createSpreadsheet('Doc', [
      {
        title: 'Hoja',
        values: [
          ['a', 'b'],
          [1, 2],
        ],
      },
    ]);
    const sheets = sheetsApi({ version: 'v4', auth: 'any-key', rootUrl: served.url });
    const drive = driveApi({ version: 'v3', auth: 'any-key', rootUrl: served.url });
    const got = await sheets.spreadsheets.values.get({ spreadsheetId: id, range: 'Hoja!A1:B2' }, { retry: false });
    expect(got.data.values).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    await sheets.spreadsheets.values.update(
      { spreadsheetId: id, range: 'Hoja!B2', valueInputOption: 'RAW', requestBody: { values: [['x']] } },
      { retry: false },
    );
    expect(emulator.model.getValues(emulator.model.spreadsheet(id), 'Hoja!B2', 'FORMATTED_VALUE').values).toEqual([
      ['x'],
    ]);
    const copy = await drive.files.copy({ fileId: id, requestBody: { name: 'backup' } }, { retry: false });
    expect(copy.data.name).toBe('backup');
    const state = (await (await fetch(`${served.url}_emulator/state/${id}`)).json()) as {
      writes: number;
      sheets: { values: unknown[][] }[];
    };
    expect(state.writes).toBe(2);
    expect(state.sheets[0]!.values).toEqual([
      ['a', 'b'],
      ['1', 'x'],
    ]);
  });

  it('without credentials is 401, and a path it does not serve is 404 with the API error body', async () => {
    const id = emulator.createSpreadsheet('Doc', [{ title: 'Hoja', values: [['a']] }]);
    const unauthenticated = await fetch(`${served.url}v4/spreadsheets/${id}`);
    expect(unauthenticated.status).toBe(401);
    const missing = await fetch(`${served.url}v1/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  // tidemark-sheets against the served emulator, as a user does with the tidemark-sheets-emulator bin.
  it('--api-url / SHEETS_API_URL: against a served emulator with no credentials, the real layout with extra columns migrates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sheets-api-url-'));
    try {
      const values = realLayoutValues(3, ['Notas_Extra']);
      const id = emulator.createSpreadsheet('ZEUES Produccion', [
        { title: 'Operaciones', values, columnCount: 66, rowCount: 5 },
      ]);
      let out = '';
      const code = await runCli(['migrate', '--spreadsheet', id], {
        out: (t) => void (out += t),
        err: () => {},
        cwd: dir,
        env: { SHEETS_API_URL: served.url },
      });
      expect(code).toBe(0);
      expect(JSON.parse(out).applied).toHaveLength(5);
      expect(
        (
          emulator.model.getValues(emulator.model.spreadsheet(id), 'Operaciones!1:1', 'FORMULA').values as unknown[][]
        )[0],
      ).toEqual([...(values[0] as string[]), 'Ocupado_Por', 'Fecha_Ocupacion', 'version']);
      let err = '';
      expect(
        await runCli(['status', '--spreadsheet', id, '--api-url', 'not a url'], {
          out: () => {},
          err: (t) => void (err += t),
          cwd: dir,
          env: {},
        }),
      ).toBe(2);
      expect(err).toContain('--api-url / SHEETS_API_URL: "not a url" is not a URL');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
