// `tidemark new` for this plugin: a typed migration whose SQL runs through the step's transaction
// (`transactionOf`), so it never waits on a lock the run's own open transaction holds under `commit: 'run'`;
// `up`, `down` and `validate` throw until written. The test runs the golden cases and the laws with the
// `./testing` harness, the app's own migrations appended.
import { posix } from 'node:path';
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

const NOT_WRITTEN = (id: string, what: string) =>
  `throw new Error(${JSON.stringify(`${id}: ${what} not written yet`)});`;

/** The golden cases' folder (the new case's parent), relative to the migrations folder. */
export function casesDirOf(input: ScaffoldInput, plugin: string): string {
  return input.fixtureDir ? posix.dirname(input.fixtureDir.replaceAll('\\', '/')) : `../../fixtures/${plugin}`;
}

export function scaffoldSnapshotsMigration(input: ScaffoldInput): ScaffoldOutput {
  const id = JSON.stringify(input.id);
  const migration = `import type { DataSource } from 'typeorm';
import { defineMigration } from '@tidemark/core';
import { transactionOf } from '@tidemark/plugin-snapshots';

// Why this migration exists (what the app needs from the schema or the data) goes here.
export const ${input.exportName} = defineMigration<DataSource>({
  id: ${id},
  title: ${JSON.stringify(input.title)},
  // requires: ['004_add_snapshot_foreign_keys'],
  async up(ctx) {
    // transactionOf(ctx) is the step's EntityManager (the run's transaction under commit: 'run'). Never use
    // ctx.target.query: a second connection waits forever on the locks the run's transaction holds.
    const db = transactionOf(ctx);
    // e.g. await db.query('ALTER TABLE recipes ADD COLUMN archived boolean NOT NULL DEFAULT false');
    void db;
    ${NOT_WRITTEN(input.id, 'up')}
  },
  async down(ctx) {
    const db = transactionOf(ctx);
    // e.g. await db.query('ALTER TABLE recipes DROP COLUMN archived');
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
  return { migration, test: snapshotsTest(input) };
}

function snapshotsTest(input: ScaffoldInput): string {
  const target = input.target ?? 'app';
  return `import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { goldenStates, snapshotsHarness } from '@tidemark/plugin-snapshots/testing';
import { migrations } from './index.js';

// Golden cases: <case>/before is captured from your database, TIDEMARK_UPDATE_GOLDEN=1 writes <case>/after.
const cases = fileURLToPath(new URL(${JSON.stringify(`${casesDirOf(input, input.plugin ?? 'plugin-snapshots')}/`)}, import.meta.url));
// Each target is a fresh in-memory sql.js database (the \`sql.js\` package); pass \`connect\` (and \`close\`) for PostgreSQL.
// A run without produced_at is snapshotted at "now": a fixed clock keeps after/ and the laws' states stable.
const harness = snapshotsHarness({ migrations: migrations[${JSON.stringify(target)}], states: await goldenStates(cases), clock: () => new Date('2000-01-01T00:00:00.000Z') });

describeGolden(harness, { dir: cases });
describeLaws(harness, { runs: 5 });
`;
}
