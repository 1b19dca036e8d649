// The `./testing` subpath as an app uses it: targets are spreadsheets in the emulator served over HTTP on a
// local port (no in-process interception), the shipped golden corpus passes through it, and an app's own
// migration (a column) shows in the state and is undone by its down.
import { fileURLToPath } from 'node:url';
import { createRunner, defineMigration } from '@tidemark/core';
import { describeGolden } from '@tidemark/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { columnLetter } from '../a1.js';
import type { SheetsTarget } from '../target.js';
import { loadFixture, sheetsHarness, startSheetsEmulator } from './index.js';

const corpus = fileURLToPath(new URL('../../../../fixtures/plugin-sheets/', import.meta.url));
const emulator = await startSheetsEmulator();
afterAll(() => emulator.close());

/**
 * The README's example: a NOTAS column, inserted before the three v3.0 columns (the plugin recognises a v3.0
 * sheet by those being the last ones).
 */
const notas = defineMigration<SheetsTarget>({
  id: '006_notas_column',
  title: 'a NOTAS column before the v3.0 columns',
  requires: ['005_smoke_checks'],
  async up(ctx) {
    const { session, spreadsheetId, sheetName } = ctx.target;
    const sheets = await session.sheets();
    const header = await session.call('values.get', 'read', (o) =>
      sheets.spreadsheets.values.get({ spreadsheetId, range: `'${sheetName}'!1:1` }, o),
    );
    const row = (header.values?.[0] ?? []) as string[];
    if (row.includes('NOTAS')) return;
    const at = row.indexOf('Ocupado_Por');
    const got = await session.call('sheets.get', 'read', (o) =>
      sheets.spreadsheets.get({ spreadsheetId, fields: 'sheets.properties' }, o),
    );
    const sheetId = got.sheets!.find((s) => s.properties?.title === sheetName)!.properties!.sheetId!;
    await session.call('sheets.batchUpdate', 'structure', (o) =>
      sheets.spreadsheets.batchUpdate(
        {
          spreadsheetId,
          requestBody: {
            requests: [
              { insertDimension: { range: { sheetId, dimension: 'COLUMNS', startIndex: at, endIndex: at + 1 } } },
            ],
          },
        },
        o,
      ),
    );
    const range = `'${sheetName}'!${columnLetter(at)}1`;
    await session.call('values.update', 'write', (o) =>
      sheets.spreadsheets.values.update(
        { spreadsheetId, range, valueInputOption: 'RAW', requestBody: { values: [['NOTAS']] } },
        o,
      ),
    );
  },
  async down(ctx) {
    const { session, spreadsheetId, sheetName } = ctx.target;
    const sheets = await session.sheets();
    const header = await session.call('values.get', 'read', (o) =>
      sheets.spreadsheets.values.get({ spreadsheetId, range: `'${sheetName}'!1:1` }, o),
    );
    const at = (header.values?.[0] ?? []).indexOf('NOTAS');
    if (at < 0) return;
    const got = await session.call('sheets.get', 'read', (o) =>
      sheets.spreadsheets.get({ spreadsheetId, fields: 'sheets.properties' }, o),
    );
    const sheetId = got.sheets!.find((s) => s.properties?.title === sheetName)!.properties!.sheetId!;
    await session.call('sheets.batchUpdate', 'structure', (o) =>
      sheets.spreadsheets.batchUpdate(
        {
          spreadsheetId,
          requestBody: {
            requests: [
              { deleteDimension: { range: { sheetId, dimension: 'COLUMNS', startIndex: at, endIndex: at + 1 } } },
            ],
          },
        },
        o,
      ),
    );
  },
});

describe('sheetsHarness on the served emulator', () => {
  // The shipped corpus, through the same harness an app uses (its own emulator, started on first use).
  describeGolden(sheetsHarness(), { dir: corpus });

  it("an app's column shows in the state after up, and down puts the sheet back", async () => {
    const harness = sheetsHarness({ emulator, migrations: [notas] });
    const before = await loadFixture(`${corpus}basic/before`);
    const target = await harness.create(before);
    try {
      const plugin = typeof harness.plugin === 'function' ? harness.plugin(target) : harness.plugin;
      const runner = createRunner({ plugin, target, ...harness.runner });
      expect((await runner.up()).applied.at(-1)).toBe('006_notas_column');
      const after = await harness.read(target);
      const operaciones = after.sheets.find((s) => s.title === 'Operaciones')!;
      expect(operaciones.columnCount).toBe(69);
      expect(operaciones.values[0]!.slice(-4)).toEqual(['NOTAS', 'Ocupado_Por', 'Fecha_Ocupacion', 'version']);
      // Everything else is what the shipped steps alone give.
      const withoutNotas = {
        ...after,
        sheets: after.sheets.map((s) =>
          s.title === 'Operaciones'
            ? { ...s, columnCount: 68, values: s.values.map((r) => r.filter((_, c) => c !== 65)) }
            : s,
        ),
      };
      expect(harness.normalize!(withoutNotas)).toEqual(harness.normalize!(await loadFixture(`${corpus}basic/after`)));
      expect((await runner.verify()).ok).toBe(true);
      await runner.down({ to: null });
      expect(harness.normalize!(await harness.read(target))).toEqual(harness.normalize!(before));
    } finally {
      await harness.dispose(target);
    }
  });
});
