import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws, describeLedgerConformance, referenceHarness } from '@tidemark/testing';
import { memoryLedger } from '@tidemark/core';

const fixtures = fileURLToPath(new URL('../../../fixtures/reference', import.meta.url));

describeGolden(referenceHarness, { dir: fixtures });
describeLaws(referenceHarness, { runs: 25, concurrency: 8 });
describeLedgerConformance('memoryLedger', async () => ({ ledger: memoryLedger(), cleanup: async () => {} }), {
  minTtlMs: 50,
});
