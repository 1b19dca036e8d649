// Golden cases, the laws and the ledger conformance suite on SQLite (sql.js).
import { describeGolden, describeLaws, describeLedgerConformance } from '@tidemark/testing';
import { describe, expect, it } from 'vitest';
import { readFixture } from './fixture.js';
import { typeormLedger } from './ledger.js';
import { loadSampleData } from './sample-data.js';
import { sqljsTestDb } from './test/databases.js';
import { sqljsHarness } from './test/harness.js';
import { GOLDEN_DIR } from './test/scenarios.js';

describe('sql.js', () => {
  const harness = sqljsHarness();
  it('the sample-data golden case is test_data/sample_data.json', async () => {
    expect(await readFixture(`${GOLDEN_DIR}sample-data/before`)).toEqual({
      ...(await loadSampleData()),
      run_link: false,
    });
  });
  describeGolden(harness, { dir: GOLDEN_DIR });
  // One in-process connection that concurrent runners would share: law 6 runs on PostgreSQL.
  describeLaws(harness, {
    runs: 15,
    skip: { concurrency: 'sql.js is one in-process connection; law 6 runs on PostgreSQL' },
  });
  describeLedgerConformance('typeorm ledger on sql.js', async () => {
    const db = await sqljsTestDb();
    return { ledger: typeormLedger(db.ds), cleanup: () => db.dispose() };
  });
});
