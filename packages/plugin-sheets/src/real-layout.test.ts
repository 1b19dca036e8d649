// The real sheet's layout as the domain facts give it: 65 columns whose names are mostly unknown to this
// plugin, extra columns engineering added since, and a sheet already at v3.0 that nobody recorded.
import { afterAll, describe, expect, it } from 'vitest';
import { migrateSheet, rollbackSheet, sheetsLedger, verifySheet } from './index.js';
import { gridOf, newTarget, seedSheet, startEmulator } from './test/harness.js';
import { realLayoutValues, v30InUseValues } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

const V3 = ['Ocupado_Por', 'Fecha_Ocupacion', 'version'];

describe('the real layout', () => {
  it('65 columns of unknown names with TAG_SPOOL at G: recognised as v2.1, migrated, verified, rolled back', async () => {
    const values = realLayoutValues(6);
    const id = seedSheet(emulator, [{ title: 'Operaciones', values, columnCount: 65, rowCount: 10 }]);
    const result = await migrateSheet(newTarget(id));
    expect(result.applied).toHaveLength(5);
    expect(result.plan.findings['sheets.v21-layout']?.summary).toContain(
      'row 1 holds 65 v2.1 headers (A..BM) with TAG_SPOOL',
    );
    expect(result.plan.findings['sheets.v21-layout']?.details?.known).toEqual([
      'A SPLIT',
      'G TAG_SPOOL',
      'B OT',
      'BA Fecha_Materiales',
      'BB Fecha_Armado',
      'AI Armador',
    ]);
    const grid = gridOf(emulator, id);
    expect(grid.values![0]).toEqual([...(values[0] as string[]), ...V3]);
    expect(grid.values!.slice(1).map((r) => r[67])).toEqual([0, 0, 0, 0, 0, 0]);
    expect((await verifySheet(newTarget(id))).exitCode).toBe(0);
    await rollbackSheet(newTarget(id));
    expect(gridOf(emulator, id).values![0]).toEqual(values[0]);
  });

  it('unknown extra columns after the 65 are carried: values kept, the v3.0 columns appended after them', async () => {
    const values = realLayoutValues(4, ['Notas_Extra', 'Campo_Nuevo']);
    const id = seedSheet(emulator, [{ title: 'Operaciones', values, columnCount: 67, rowCount: 8 }]);
    const result = await migrateSheet(newTarget(id));
    expect(result.report?.success).toBe(true);
    expect(result.plan.findings['sheets.v21-layout']?.summary).toContain(
      "67 v2.1 headers (A..BO; 2 more than the seed's 65, carried)",
    );
    const after = gridOf(emulator, id).values!;
    expect(after[0]).toEqual([...(values[0] as string[]), ...V3]);
    for (let r = 1; r < values.length; r++) expect(after[r]!.slice(0, 67)).toEqual(values[r]);
    const report = await verifySheet(newTarget(id));
    expect(report.checks.column_count).toMatchObject({ expected: 70, actual: 70, passed: true });
    expect(report.checks.new_headers?.passed).toBe(true);
  });

  it('legacyHeaders checks names in order when given', async () => {
    const values = realLayoutValues(2);
    const id = seedSheet(emulator, [{ title: 'Operaciones', values, columnCount: 65, rowCount: 5 }]);
    const names = [...(values[0] as string[])];
    [names[2], names[3]] = [names[3]!, names[2]!];
    await expect(migrateSheet(newTarget(id), { legacyHeaders: names })).rejects.toThrow(
      /header "Campo_Planta_4" is in column D, expected in column C \(headers moved\)/,
    );
    const ok = await migrateSheet(newTarget(id), { legacyHeaders: values[0] as string[] });
    expect(ok.applied).toHaveLength(5);
  });

  it('a sheet already at v3.0 with an empty ledger is adopted: 002 and 004 baselined with evidence, nothing of the app data changed', async () => {
    const values = v30InUseValues(6);
    const id = seedSheet(emulator, [{ title: 'Operaciones', values, columnCount: 68, rowCount: 10 }]);
    const before = gridOf(emulator, id).values;
    const result = await migrateSheet(newTarget(id));
    expect(result.baselined).toEqual(['002_add_v3_columns', '004_initialize_versions']);
    expect(result.applied).toEqual(['001_create_backup', '003_verify_schema', '005_smoke_checks']);
    expect(gridOf(emulator, id).values).toEqual(before);
    const entries = await sheetsLedger(newTarget(id)).read();
    expect(entries.find((e) => e.id === '002_add_v3_columns')?.note).toContain('legacy shape not found');
    expect(entries.find((e) => e.id === '005_smoke_checks')?.data).toMatchObject({
      adopted: true,
      success: true,
      evidence: expect.stringContaining('row 1 ends with Ocupado_Por, Fecha_Ocupacion, version after 65 v2.1 columns'),
    });
    expect((await verifySheet(newTarget(id), { strict: false })).exitCode).toBe(0);
  });
});

describe('bad layouts are still refused', () => {
  it('no TAG_SPOOL, or the v3.0 columns only partly there', async () => {
    const noKey = realLayoutValues(2);
    (noKey[0] as string[])[6] = 'Tag';
    const a = seedSheet(emulator, [{ title: 'Operaciones', values: noKey, columnCount: 65, rowCount: 5 }]);
    await expect(migrateSheet(newTarget(a))).rejects.toThrow(/no "TAG_SPOOL" header in row 1/);
    const partial = realLayoutValues(2, ['version']);
    const b = seedSheet(emulator, [{ title: 'Operaciones', values: partial, columnCount: 66, rowCount: 5 }]);
    await expect(migrateSheet(newTarget(b))).rejects.toThrow(
      /the v3\.0 columns are only partly in place: Ocupado_Por missing, Fecha_Ocupacion missing, version in column BN/,
    );
  });
});
