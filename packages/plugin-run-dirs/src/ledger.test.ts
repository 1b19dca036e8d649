// The run's ledger file and lease lock against the suite every plugin's ledger passes; `other` is a second
// handle on the same run directory, as another process would open it.
import { describeLedgerConformance } from '@tidemark/testing';
import { runDirLedger } from './ledger.js';
import { tempDir } from './test/tmp-run.js';

describeLedgerConformance(
  'runDirLedger (.tidemark/ledger.json + lease file)',
  async () => {
    const { dir, cleanup } = await tempDir();
    return { ledger: runDirLedger({ dir }), other: runDirLedger({ dir }), cleanup };
  },
  { minTtlMs: 50 },
);
