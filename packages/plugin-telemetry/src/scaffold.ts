// `tidemark new` for this plugin: a typed migration whose SQL runs through the step's transaction
// (`transactionOf`: the knex transaction the step-transaction guard opened), never a second connection;
// `up`, `down` and `validate` throw until written. The test runs the golden cases and the laws with the
// `./testing` harness, the app's own migrations appended.
import { posix } from 'node:path';
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

const NOT_WRITTEN = (id: string, what: string) =>
  `throw new Error(${JSON.stringify(`${id}: ${what} not written yet`)});`;

export function scaffoldTelemetryMigration(input: ScaffoldInput): ScaffoldOutput {
  const migration = `import { defineMigration } from '@tidemark/core';
import { transactionOf, type TelemetryTarget } from '@tidemark/plugin-telemetry';

// Why this migration exists (what the app needs from the schema or the data) goes here.
export const ${input.exportName} = defineMigration<TelemetryTarget>({
  id: ${JSON.stringify(input.id)},
  title: ${JSON.stringify(input.title)},
  // requires: ['003_ingest_logs'],
  async up(ctx) {
    // transactionOf(ctx) is the step's knex transaction: everything the step writes commits or rolls back
    // together. Never use ctx.target.knex directly: a second connection waits on the step's locks.
    const db = transactionOf(ctx);
    // e.g. await db.raw('ALTER TABLE runs ADD COLUMN operator text');
    void db;
    ${NOT_WRITTEN(input.id, 'up')}
  },
  async down(ctx) {
    const db = transactionOf(ctx);
    // e.g. await db.raw('ALTER TABLE runs DROP COLUMN operator');
    void db;
    ${NOT_WRITTEN(input.id, 'down')}
  },
  async validate(ctx) {
    const db = transactionOf(ctx);
    // Return one issue per problem left, [] when the data is right.
    void db;
    ${NOT_WRITTEN(input.id, 'validate')}
  },
});
`;
  const cases = input.fixtureDir
    ? posix.dirname(input.fixtureDir.replaceAll('\\', '/'))
    : `../../fixtures/${input.plugin ?? 'plugin-telemetry'}`;
  const test = `import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws, pgTestServerUrl } from '@tidemark/testing';
import { goldenStates, postgresDatabases, telemetryHarness } from '@tidemark/plugin-telemetry/testing';
import { migrations } from './index.js';

// Golden cases: <case>/before is the legacy folder (config.json, logs/), TIDEMARK_UPDATE_GOLDEN=1 writes <case>/after.
const cases = fileURLToPath(new URL(${JSON.stringify(`${cases}/`)}, import.meta.url));
// Each target is a fresh database on the test server (TIDEMARK_TEST_PG, default the local one), dropped per test.
const database = postgresDatabases(pgTestServerUrl());
const states = await goldenStates(cases);
const harness = telemetryHarness({ database, migrations: migrations[${JSON.stringify(input.target ?? 'app')}], states });

describeGolden(harness, { dir: cases });
// Every law run makes fresh databases and runs the whole ingest (law 4 once per step): one run per legacy
// state covers the cases; give the harness an \`arbitrary\` and more runs for generated states.
describeLaws(harness, { runs: Math.max(1, states.length) });
`;
  return { migration, test };
}
