import { afterAll, describe, expect, it } from 'vitest';
import { migrateSheet, rollbackSheet, sheetsLedger, V21_HEADERS, V30_ADDED_HEADERS } from './index.js';
import { newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';
import { stateOf } from './test/sheets-harness.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

const STEPS = [
  '001_create_backup',
  '002_add_v3_columns',
  '003_verify_schema',
  '004_initialize_versions',
  '005_smoke_checks',
];
const ROWS = 9;
const fresh = () =>
  seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(ROWS, 5), columnCount: 65, rowCount: 20 }]);

/** The clock the plugin uses for leases: a crashed holder's lease is expired for a run 10 minutes later. */
let offset = 0;
const clock = () => Date.now() + offset;
const later = () => (offset += 10 * 60_000);

const v21State = stateOf;

// A clean run, to know how many requests there are and what the result looks like.
const cleanId = fresh();
const x = v21State(emulator, cleanId);
const start = emulator.count;
const clean = await migrateSheet(newTarget(cleanId), { clock, chunkRows: 4 });
const requests = emulator.count - start;
const upX = stateOf(emulator, cleanId);

async function backupsOf(id: string): Promise<string[]> {
  return [...emulator.model.files.values()].filter((f) => f.appProperties.tidemarkBackupOf === id).map((f) => f.id);
}

describe('a fault between any two API calls', () => {
  it('the clean run is what the faulty runs are compared with', () => {
    expect(clean.applied).toEqual(STEPS);
    // chunkRows 4 over 9 spools: 3 values.batchUpdate requests and 2 checkpoints, still well within budget
    expect(clean.stats.byOperation['sheets.values.batchUpdate']).toBe(3);
    expect(requests).toBe(clean.stats.requests);
    expect(requests).toBeGreaterThan(12);
  });

  for (const afterApply of [false, true]) {
    it(`crash: the network dies at request k (${afterApply ? 'after the server applied it' : 'before it arrives'}), for every k; a later run resumes and completes`, async () => {
      for (let k = 1; k <= requests; k++) {
        const id = fresh();
        emulator.cutNetworkAt(emulator.count + k, afterApply);
        await expect(migrateSheet(newTarget(id), { clock, chunkRows: 4 }), `crash at request ${k}`).rejects.toThrow();
        emulator.restoreNetwork();

        // The ledger never claims more than the sheet holds.
        const entries = await sheetsLedger(newTarget(id)).read();
        const applied = entries.filter((e) => e.outcome === 'applied').map((e) => e.id);
        expect(STEPS.slice(0, applied.length), `crash at ${k}: applied steps are a prefix`).toEqual(applied);
        const headers = emulator.model.getValues(emulator.model.spreadsheet(id), 'Operaciones!1:1')
          .values as string[][];
        if (applied.includes('002_add_v3_columns')) expect(headers[0]).toEqual([...V21_HEADERS, ...V30_ADDED_HEADERS]);

        later();
        const resumed = await migrateSheet(newTarget(id), { clock, chunkRows: 4 });
        expect(resumed.report?.success ?? applied.length === STEPS.length, `resume after crash at ${k}`).toBe(true);
        const state = stateOf(emulator, id);
        expect({ ...state, title: upX.title }, `state after crash at ${k} + resume`).toEqual(upX);
        const final = (await sheetsLedger(newTarget(id)).read())
          .filter((e) => e.outcome === 'applied')
          .map((e) => e.id);
        expect(final).toEqual(STEPS);
        // The recorded backup exists; a crash right after files.copy may leave one orphan, tagged for cleanup.
        const backups = await backupsOf(id);
        const recorded = (await sheetsLedger(newTarget(id)).read()).find((e) => e.id === '001_create_backup')?.data
          ?.backupId as string;
        expect(backups).toContain(recorded);
        expect(backups.length).toBeLessThanOrEqual(2);
        // and the resumed migration rolls back completely (no step was merely "baselined")
        await rollbackSheet(newTarget(id), { clock });
        expect(stateOf(emulator, id).sheets, `rollback after crash at ${k} + resume`).toEqual(x.sheets);
      }
    }, 300_000);
  }

  it('a request that fails for good (no retries left), for every k: the run is undone to x or completed, the ledger says which, a rerun completes', async () => {
    for (let k = 1; k <= requests; k++) {
      const id = fresh();
      emulator.failRequest(emulator.count + k, 500);
      const target = newTarget(id, 'Operaciones', { retries: 0 });
      const outcome = await migrateSheet(target, { clock, chunkRows: 4 }).then(
        () => 'ok',
        (e: Error) => e.message,
      );
      const state = stateOf(emulator, id);
      const entries = await sheetsLedger(newTarget(id)).read();
      const applied = entries.filter((e) => e.outcome === 'applied').map((e) => e.id);
      const isX = JSON.stringify(state.sheets) === JSON.stringify(x.sheets);
      const isUp = JSON.stringify(state.sheets) === JSON.stringify(upX.sheets);
      expect(isX || isUp, `fault at request ${k} (${outcome}) left the sheet in between`).toBe(true);
      if (isX) expect(applied, `fault at ${k}: restored to x, so nothing is claimed applied`).toEqual([]);
      if (isUp) expect(applied, `fault at ${k}: up(x), so everything is applied`).toEqual(STEPS);
      if (isX && applied.length === 0)
        expect(await backupsOf(id), `fault at ${k}: the undone run's backup is deleted`).toEqual([]);

      later();
      await migrateSheet(newTarget(id), { clock, chunkRows: 4 });
      expect(stateOf(emulator, id).sheets, `rerun after fault at ${k}`).toEqual(upX.sheets);
    }
  }, 300_000);
});
