// Golden cases, the six laws and the ledger/lock conformance suite on the machine's PostgreSQL: each target
// is its own random database (dropped afterwards) plus a temp folder with config.json and logs/. Law 4
// injects a fault after every step (the harness wraps each migration's up and throws after its work).
import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws, describeLedgerConformance } from '@tidemark/testing';
import { postgresLedger } from '@tidemark/plugin-telemetry';
import { telemetryHarness } from './test/harness.js';
import { createTestDb } from './test/pg.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/plugin-telemetry', import.meta.url));

describeGolden(telemetryHarness, { dir: fixtures });
// runs: 3 keeps the package suite near two minutes on a 2-core machine (each example makes ~10 databases).
describeLaws(telemetryHarness, { runs: 3, concurrency: 5, timeout: 300_000 });
describeLedgerConformance('postgresLedger + advisory lock (two pools on one database)', async () => {
  const db = await createTestDb({ min: 0, max: 4 });
  return { ledger: postgresLedger(db.knex), other: postgresLedger(db.connect()), cleanup: () => db.drop() };
});
