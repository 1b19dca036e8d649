// Golden cases: fixtures/plugin-snapshots/<case>/{before,after}, one JSON file per table. up(before) == after
// and down(after) == before, on PostgreSQL and on sql.js. TIDEMARK_UPDATE_GOLDEN=1 rewrites `after/`
// (review the diff before committing it).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture, writeFixture } from './fixture.js';
import { loadSampleData } from './sample-data.js';
import { loadState, readState } from './state.js';
import { dialects, type TestDb } from './test/databases.js';
import { runnerFor } from './test/scenarios.js';

const GOLDEN = fileURLToPath(new URL('../../../fixtures/plugin-snapshots/', import.meta.url));
const cases = readdirSync(GOLDEN).filter((c) => existsSync(`${GOLDEN}${c}/before`));

describe('golden fixtures', () => {
  it('exist, and sample-data/before is test_data/sample_data.json', async () => {
    expect(cases).toEqual(expect.arrayContaining(['sample-data', 'app-snapshots']));
    expect(await readFixture(`${GOLDEN}sample-data/before`)).toEqual({ ...(await loadSampleData()), run_link: false });
  });
});

describe.each(dialects)('golden on %s', (name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it.each(cases)('%s: up(before) == after, down(after) == before', async (c) => {
    db = await open();
    const before = await readFixture(`${GOLDEN}${c}/before`);
    await loadState(db.ds, before);
    expect(await readState(db.ds)).toEqual(before);
    const { runner } = runnerFor(db.ds, { batchSize: 4 });
    await runner.up();
    const after = await readState(db.ds);
    if (process.env.TIDEMARK_UPDATE_GOLDEN && name === 'postgres') await writeFixture(after, `${GOLDEN}${c}/after`);
    expect(after).toEqual(await readFixture(`${GOLDEN}${c}/after`));
    await runner.down({ to: null });
    expect(await readState(db.ds)).toEqual(before);
  });
});
