// Golden cases, the six laws and the ledger conformance suite on PostgreSQL. Targets are schemas in one
// database that this file creates and drops (see test/harness.ts for why not one database per example).
import { describeGolden, describeLaws, describeLedgerConformance } from '@tidemark/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { typeormLedger } from './ledger.js';
import { createPgDatabase } from './test/databases.js';
import { dropSchemaTarget, pgSchemaHarness, pgSchemaTarget } from './test/harness.js';
import { GOLDEN_DIR } from './test/scenarios.js';

let db: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
beforeAll(async () => {
  db = await createPgDatabase('tm_snap_laws');
});
afterAll(async () => db?.drop());

describe('postgres', () => {
  const harness = pgSchemaHarness(() => db!.url);
  describeGolden(harness, { dir: GOLDEN_DIR });
  describeLaws(harness, { runs: 6, concurrency: 5 });
  describeLedgerConformance('typeorm ledger on postgres', async () => {
    const ds = await pgSchemaTarget(db!.url);
    return { ledger: typeormLedger(ds), cleanup: () => dropSchemaTarget(ds) };
  });
});
