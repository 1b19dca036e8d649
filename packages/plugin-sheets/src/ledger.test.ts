import { afterAll } from 'vitest';
import { describeLedgerConformance } from '@tidemark/testing';
import { sheetsLedger } from './index.js';
import { newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());

// Each fixture: a fresh spreadsheet; `other` is a second process's view (its own session and lock state).
describeLedgerConformance('developer metadata in the spreadsheet', async () => {
  const id = seedSheet(env.emulator, [{ title: 'Operaciones', values: v21Values(1) }]);
  return {
    ledger: sheetsLedger(newTarget(id)),
    other: sheetsLedger(newTarget(id)),
    cleanup: async () => env.emulator.model.deleteFile(id),
  };
});
