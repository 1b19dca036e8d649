import { afterAll, describe, expect, it } from 'vitest';
import { createRunner } from '@tidemark/core';
import { migrateSheet, sheetsPlugin, V21_HEADERS } from './index.js';
import type { CellValue } from './emulator/model.js';
import { newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

function withHeaders(headers: string[], rows = 5): CellValue[][] {
  const values = v21Values(rows);
  values[0] = headers;
  return values;
}

const swapped = [...V21_HEADERS];
[swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
const renamed = V21_HEADERS.map((h) => (h === 'Plano' ? 'Plano_Nro' : h));
const duplicate = V21_HEADERS.map((h) => (h === 'Fecha_Compromiso' ? 'Estado' : h));

const cases: { name: string; values: CellValue[][]; error: RegExp; legacyHeaders?: readonly string[] }[] = [
  {
    name: 'headers moved (legacyHeaders given)',
    legacyHeaders: V21_HEADERS,
    values: withHeaders(swapped),
    error: /header "Plano" is in column F, expected in column E \(headers moved\)/,
  },
  {
    name: 'header renamed (legacyHeaders given)',
    legacyHeaders: V21_HEADERS,
    values: withHeaders(renamed),
    error: /column E: expected header "Plano", found "Plano_Nro" \(renamed or missing\)/,
  },
  { name: 'duplicate header', values: withHeaders(duplicate), error: /duplicate header "Estado" in columns BA and BD/ },
  {
    name: 'values without a header',
    values: (() => {
      const v = v21Values(3);
      v[2] = [...v[2]!, '', 'stray'];
      return v;
    })(),
    error: /column BO has values in 1 row\(s\) but no header/,
  },
  {
    name: 'empty sheet',
    values: [],
    error: /sheet "Operaciones" is empty: row 1 must hold the v2\.1 headers \(TAG_SPOOL and at least 65 columns\)/,
  },
  {
    name: 'a missing last column',
    values: withHeaders(V21_HEADERS.slice(0, 64)),
    error: /row 1 has 64 v2\.1 header\(s\), the v2\.1 layout has 65: column\(s\) BM\.\.BM are missing/,
  },
];

describe('bad input: a clear error and not one write request', () => {
  for (const c of cases) {
    it(`${c.name} (migrateSheet)`, async () => {
      const id = seedSheet(emulator, [{ title: 'Operaciones', values: c.values, columnCount: 70, rowCount: 10 }]);
      const before = emulator.writes().length;
      const attempt = migrateSheet(newTarget(id), c.legacyHeaders ? { legacyHeaders: c.legacyHeaders } : {});
      await expect(attempt).rejects.toThrow(c.error);
      await expect(attempt).rejects.toThrow(/^\[tidemark\] \[plugin-sheets\] target "sheets:.*\/Operaciones"/);
      expect(emulator.writes().slice(before)).toEqual([]);
    });
  }

  it('a raw runner refuses too, before its plan: no grid write, no Drive copy, no ledger entry', async () => {
    const id = seedSheet(emulator, [
      { title: 'Operaciones', values: withHeaders(renamed), columnCount: 65, rowCount: 10 },
    ]);
    const from = emulator.requests.length;
    const target = newTarget(id);
    await expect(createRunner({ plugin: sheetsPlugin({ legacyHeaders: V21_HEADERS }), target }).up()).rejects.toThrow(
      /renamed or missing/,
    );
    const writes = emulator.requests.slice(from).filter((r) => r.write);
    // Only the lease: acquire and release (developer metadata), nothing else.
    expect(writes.map((w) => `${w.op}:${w.detail?.join('+')}`)).toEqual([
      'sheets.batchUpdate:createDeveloperMetadata',
      'sheets.batchUpdate:deleteDeveloperMetadata',
    ]);
    expect(await sheetsPlugin().ledger(newTarget(id)).read()).toEqual([]);
  });

  it('names the sheets that exist when the configured one is missing', async () => {
    const id = seedSheet(emulator, [{ title: 'Hoja 1', values: v21Values(2) }]);
    await expect(migrateSheet(newTarget(id))).rejects.toThrow(
      /sheet "Operaciones" not found; the spreadsheet has "Hoja 1"/,
    );
  });

  it('a spreadsheet that does not exist: the API error, named', async () => {
    await expect(migrateSheet(newTarget('does-not-exist'))).rejects.toThrow(
      /sheets\.get failed: 404 NOT_FOUND: Requested entity was not found\./,
    );
  });

  it('dry-run plans and describes the writes without making any', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(7), columnCount: 65, rowCount: 10 }]);
    const before = emulator.writes().length;
    const result = await migrateSheet(newTarget(id), { dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.plan.steps.map((s) => s.id)).toEqual([
      '001_create_backup',
      '002_add_v3_columns',
      '003_verify_schema',
      '004_initialize_versions',
      '005_smoke_checks',
    ]);
    expect(result.wouldWrite).toEqual(
      expect.arrayContaining([
        'insert columns BN:BP (Ocupado_Por, Fecha_Ocupacion, version)',
        'version = 0 in 7 row(s)',
      ]),
    );
    expect(emulator.writes().length).toBe(before);
  });
});
