// Steps 001, 002 and 004 check their own work (after `up`, and in every `verify`), not only 003 and 005.
import { createRunner } from '@tidemark/core';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateSheet, sheetsLedger, sheetsPlugin } from './index.js';
import { newTarget, seedSheet, startEmulator } from './test/harness.js';
import { realLayoutValues } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

async function migrated() {
  const id = seedSheet(emulator, [{ title: 'Operaciones', values: realLayoutValues(5), columnCount: 65, rowCount: 8 }]);
  await migrateSheet(newTarget(id));
  return id;
}

const issuesOf = async (id: string) => {
  const report = await createRunner({ plugin: sheetsPlugin(), target: newTarget(id) }).verify();
  return Object.fromEntries(report.validation.map((v) => [v.id, v.issues]));
};

describe('validators of 001, 002 and 004', () => {
  it('pass on a migrated sheet', async () => {
    const id = await migrated();
    expect(await issuesOf(id)).toEqual({});
  });

  it('001: the recorded backup is gone from Drive', async () => {
    const id = await migrated();
    const entry = (await sheetsLedger(newTarget(id)).read()).find((e) => e.id === '001_create_backup');
    const backupId = (entry?.data as { backupId: string }).backupId;
    emulator.model.deleteFile(backupId);
    expect((await issuesOf(id))['001_create_backup']).toEqual([
      { message: `the backup ${backupId} recorded in the ledger is gone from Drive`, where: `drive:${backupId}` },
    ]);
  });

  it('004: a spool without a valid version is named by row, key and cell', async () => {
    const id = await migrated();
    const sheet = emulator.model.spreadsheet(id).sheets[0]!;
    sheet.cells[3]![67] = null;
    sheet.cells[4]![67] = 'x';
    expect((await issuesOf(id))['004_initialize_versions']).toEqual([
      { message: 'row 4 (TAG_SPOOL MK-1402-CW-30002) has no valid version: null', where: 'Operaciones!BP4' },
      { message: 'row 5 (TAG_SPOOL MK-1403-CW-30003) has no valid version: "x"', where: 'Operaciones!BP5' },
    ]);
  });

  it('002: the v3.0 columns no longer last in row 1', async () => {
    const id = await migrated();
    const sheet = emulator.model.spreadsheet(id).sheets[0]!;
    sheet.cells[0]![66] = 'Fecha_Ocupacion_old';
    // The layout traits refuse such a sheet (verify stops there), so the validator is called directly.
    const m = sheetsPlugin().migrations.find((x) => x.id === '002_add_v3_columns')!;
    const target = newTarget(id);
    const ctx = {
      target,
      targetLabel: id,
      migrationId: m.id,
      direction: 'validate',
      signal: new AbortController().signal,
      progress() {},
      log() {},
      warn() {},
      record() {},
      checkpoint: { load: async () => null, save: async () => {}, clear: async () => {} },
    } as unknown as Parameters<NonNullable<typeof m.validate>>[0];
    const issues = await m.validate!(ctx);
    expect(issues?.[0]?.message).toMatch(
      /the v3\.0 columns are only partly in place: Ocupado_Por in column BN, Fecha_Ocupacion missing, version in column BP/,
    );
    expect(issues?.[0]?.where).toBe('Operaciones!1:1');
  });
});
