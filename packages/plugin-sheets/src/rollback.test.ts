import { afterAll, describe, expect, it } from 'vitest';
import type { TidemarkEvent } from '@tidemark/core';
import { migrateSheet, rollbackSheet, sheetsLedger, verifySheet } from './index.js';
import { newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';
import { stateOf } from './test/sheets-harness.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

const DAY = 86_400_000;
let offset = 0;
const clock = () => Date.now() + offset;

function migrated() {
  const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(12, 9), columnCount: 65, rowCount: 15 }]);
  return { id, x: stateOf(emulator, id) };
}

/** What the v3.0 app does after go-live: edits a v2.1 cell, takes a spool (Ocupado_Por, Fecha_Ocupacion, version+1). */
function appEdits(id: string) {
  const s = emulator.model.spreadsheet(id);
  emulator.model.prepareWrite(s, 'Operaciones!BC3', [['SOLDADO (editado)']], 'RAW').apply();
  emulator.model.prepareWrite(s, 'Operaciones!BN2:BP2', [['MR', '2026-01-27', 1]], 'RAW').apply();
}

const backupIds = (id: string) =>
  [...emulator.model.files.values()].filter((f) => f.appProperties.tidemarkBackupOf === id).map((f) => f.id);

describe('rollback', () => {
  it('mode "columns": deletes the three columns, keeps v2.1 edits made since, deletes the backup, verified', async () => {
    const { id, x } = migrated();
    await migrateSheet(newTarget(id), { clock });
    appEdits(id);
    const result = await rollbackSheet(newTarget(id), { clock });
    expect(result.reverted).toHaveLength(5);
    const after = stateOf(emulator, id);
    expect(after.sheets[0]!.columnCount).toBe(65);
    expect(after.sheets[0]!.values[0]).toEqual(x.sheets[0]!.values[0]);
    expect(after.sheets[0]!.values[2]![54]).toBe('SOLDADO (editado)');
    expect(backupIds(id)).toEqual([]);
    expect(await sheetsLedger(newTarget(id)).read()).toEqual([]);
    // one batchUpdate removes the columns, one read verifies
    expect(result.stats.byOperation['sheets.batchUpdate']).toBeGreaterThan(0);
  });

  it('mode "backup": every value comes back from the Drive copy (edits since are undone), verified', async () => {
    const { id, x } = migrated();
    await migrateSheet(newTarget(id), { clock });
    appEdits(id);
    // rows appended since the migration go too: the sheet is the backup again
    emulator.model.append(
      emulator.model.spreadsheet(id),
      'Operaciones!A:BP',
      [['NEW-SPOOL', 'NV-1']],
      'RAW',
      'INSERT_ROWS',
    );
    await rollbackSheet(newTarget(id), { clock, rollback: { mode: 'backup' } });
    const after = stateOf(emulator, id);
    expect(after.sheets[0]!.values).toEqual(x.sheets[0]!.values);
    expect(after.sheets[0]!.columnCount).toBe(65);
  });

  it("the backup id and time are on 001's own ledger entry, and another process's rollback finds the backup only there", async () => {
    const { id, x } = migrated();
    const before = Date.now();
    await migrateSheet(newTarget(id), { clock });
    const entries = await sheetsLedger(newTarget(id)).read();
    const backup = entries.find((e) => e.id === '001_create_backup')!;
    expect(backup.data).toEqual({ backupId: backupIds(id)[0], backupAt: expect.any(String) as string });
    expect(Date.parse(backup.data!.backupAt as string)).toBeGreaterThanOrEqual(before - 1000);
    const smoke = entries.find((e) => e.id === '005_smoke_checks')!;
    expect(smoke.data?.success).toBe(true);
    expect(Object.values(smoke.data?.checks as Record<string, boolean>)).toEqual(Array(7).fill(true));

    // Without the recorded id nothing else tells a new process where the backup is: mode "backup" refuses.
    const { data: _data, ...bare } = backup;
    await sheetsLedger(newTarget(id)).record(bare);
    await expect(rollbackSheet(newTarget(id), { clock, rollback: { mode: 'backup' } })).rejects.toThrow(
      'rollback mode "backup" needs the Drive backup, but the ledger records none',
    );
    await sheetsLedger(newTarget(id)).record(backup);
    await rollbackSheet(newTarget(id), { clock, rollback: { mode: 'backup' } });
    expect(stateOf(emulator, id).sheets).toEqual(x.sheets);
    expect(backupIds(id)).toEqual([]);
  });

  it('keepBackup leaves the Drive copy in place', async () => {
    const { id } = migrated();
    await migrateSheet(newTarget(id), { clock });
    const [backup] = backupIds(id);
    await rollbackSheet(newTarget(id), { clock, rollback: { keepBackup: true } });
    expect(backupIds(id)).toEqual([backup]);
  });

  it('the 7-day window is enforced: refused after 8 days with nothing changed; an explicit override proceeds', async () => {
    const { id, x } = migrated();
    offset = 0;
    await migrateSheet(newTarget(id), { clock });
    const up = stateOf(emulator, id);
    offset = 8 * DAY;
    try {
      const writes = emulator.writes().length;
      await expect(rollbackSheet(newTarget(id), { clock })).rejects.toThrow(
        /rollback window closed: 002_add_v3_columns was applied .* \(8\.0 days ago, window 7 days\); nothing was changed/,
      );
      expect(stateOf(emulator, id)).toEqual(up);
      // only the lease was written
      expect(
        emulator
          .writes()
          .slice(writes)
          .every((w) => w.detail?.every((d) => d.endsWith('DeveloperMetadata'))),
      ).toBe(true);

      const events: TidemarkEvent[] = [];
      await rollbackSheet(newTarget(id), { clock, rollback: { override: true }, onEvent: (e) => events.push(e) });
      expect(stateOf(emulator, id).sheets).toEqual(x.sheets);
      expect(events.some((e) => e.type === 'guard' && e.action === 'window-overridden')).toBe(true);

      // a custom window
      const other = migrated();
      offset = 0;
      await migrateSheet(newTarget(other.id), { clock });
      offset = 2 * DAY;
      await expect(rollbackSheet(newTarget(other.id), { clock, rollback: { windowDays: 1 } })).rejects.toThrow(
        /window 1 days/,
      );
    } finally {
      offset = 0;
    }
  });

  it('dry-run rollback lists the steps and writes nothing but the lease', async () => {
    const { id } = migrated();
    await migrateSheet(newTarget(id), { clock });
    const up = stateOf(emulator, id);
    const result = await rollbackSheet(newTarget(id), { clock, dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.reverted).toEqual([
      '005_smoke_checks',
      '004_initialize_versions',
      '003_verify_schema',
      '002_add_v3_columns',
      '001_create_backup',
    ]);
    expect(stateOf(emulator, id)).toEqual(up);
  });

  it('verify after go-live (not strict) passes with taken spools; strict names the rows', async () => {
    const { id } = migrated();
    await migrateSheet(newTarget(id), { clock });
    appEdits(id);
    expect((await verifySheet(newTarget(id), { strict: false })).exitCode).toBe(0);
    const strict = await verifySheet(newTarget(id));
    expect(strict.exitCode).toBe(1);
    expect(strict.checks.occupation_empty).toMatchObject({ passed: false, nonEmptyRows: [2] });
    expect(strict.checks.sample_versions).toMatchObject({ passed: false, failingRows: [2] });
    expect(strict.checks.v21_data_intact).toMatchObject({
      passed: false,
      firstDifference: expect.stringContaining('row 3 column BC'),
    });
    expect(strict.stats.writes).toBe(0);
  });
});

describe('checkpoints: resume and --force', () => {
  async function crashInVersions() {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(10, 4), columnCount: 65, rowCount: 12 }]);
    // find the request right after the first checkpoint save of 004 (chunks of 3 rows)
    const probe = seedSheet(emulator, [
      { title: 'Operaciones', values: v21Values(10, 4), columnCount: 65, rowCount: 12 },
    ]);
    const from = emulator.requests.length;
    await migrateSheet(newTarget(probe), { clock, chunkRows: 3 });
    const ops = emulator.requests.slice(from);
    const firstValues = ops.findIndex((r) => r.op === 'sheets.values.batchUpdate');
    const cutAt = firstValues + 2; // after the chunk and its checkpoint
    emulator.cutNetworkAt(emulator.count + cutAt + 1);
    await expect(migrateSheet(newTarget(id), { clock, chunkRows: 3 })).rejects.toThrow();
    emulator.restoreNetwork();
    offset += 10 * 60_000;
    return id;
  }

  it('a crashed run resumes at the row after the last checkpoint', async () => {
    const id = await crashInVersions();
    const logs: string[] = [];
    const result = await migrateSheet(newTarget(id), {
      clock,
      chunkRows: 3,
      onEvent: (e) => e.type === 'log' && logs.push(e.message),
    });
    expect(logs).toContain('resuming version initialization at row 5 (3 rows written before)');
    expect(result.report?.success).toBe(true);
    // 10 spools, 3 already done: the remaining 7 in chunks of 3
    expect(result.stats.byOperation['sheets.values.batchUpdate']).toBe(3);
  });

  it('force drops the checkpoints: the step starts from its beginning', async () => {
    const id = await crashInVersions();
    const logs: string[] = [];
    const result = await migrateSheet(newTarget(id), {
      clock,
      chunkRows: 3,
      force: true,
      onEvent: (e) => e.type === 'log' && logs.push(e.message),
    });
    expect(logs.some((l) => l.startsWith('resuming'))).toBe(false);
    expect(result.report?.success).toBe(true);
  });
});
