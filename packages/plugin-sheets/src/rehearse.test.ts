import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunner } from '@tidemark/core';
import { sheetsPlugin } from './index.js';
import { newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';
import { loadFixture, stateOf } from './test/sheets-harness.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

describe('rehearse and capture', () => {
  it('rehearse applies the plan to a Drive copy, reports the diff, deletes the copy; the original is only read', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(5), columnCount: 65, rowCount: 8 }]);
    const before = stateOf(emulator, id);
    const from = emulator.requests.length;
    const files = emulator.model.files.size;
    const report = await createRunner({ plugin: sheetsPlugin(), target: newTarget(id) }).rehearse();
    expect(report.outcome).toBe('ok');
    expect(report.applied).toHaveLength(5);
    expect(report.diff.changes).toEqual(
      expect.arrayContaining([
        { kind: 'changed', path: 'Operaciones grid', detail: '8x65 -> 8x68' },
        { kind: 'added', path: 'Operaciones!BN', detail: 'column "Ocupado_Por", 0 cell(s) filled' },
        { kind: 'added', path: 'Operaciones!BP', detail: 'column "version", 5 cell(s) filled' },
      ]),
    );
    expect(stateOf(emulator, id)).toEqual(before);
    const onOriginal = emulator.requests.slice(from).filter((r) => r.fileId === id && r.write);
    expect(onOriginal.map((r) => r.op)).toEqual(['drive.files.copy']);
    // the rehearsal copy and the backup taken inside it are gone
    expect(emulator.model.files.size).toBe(files);
  });

  it('capture writes the spreadsheet as CSV + spreadsheet.json, the golden fixture format', async () => {
    const id = seedSheet(emulator, [
      { title: 'Operaciones', values: v21Values(3), columnCount: 65, rowCount: 5 },
      { title: 'Config', values: [['k', 'v']], hidden: true, rowCount: 2, columnCount: 2 },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'sheets-capture-'));
    try {
      await sheetsPlugin().capture!(newTarget(id), dir);
      expect(await loadFixture(dir)).toEqual(stateOf(emulator, id));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
