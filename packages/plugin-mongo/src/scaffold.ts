// `tidemark new` for this plugin (mongoPlugin and mongoAppPlugin): a typed migration on the target's Db
// (`dbOf`); `up`, `down` and `validate` throw until written. The test runs the golden cases and the laws with
// the `./testing` harness, the app's own migrations appended.
import { posix } from 'node:path';
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

const NOT_WRITTEN = (id: string, what: string) =>
  `throw new Error(${JSON.stringify(`${id}: ${what} not written yet`)});`;

export function scaffoldMongoMigration(
  input: ScaffoldInput,
  harness: 'mongoHarness' | 'mongoAppHarness' = 'mongoHarness',
): ScaffoldOutput {
  const migration = `import { defineMigration } from '@tidemark/core';
import { dbOf, type MongoTarget } from '@tidemark/plugin-mongo';

// Why this migration exists (which documents or indexes the app needs) goes here. List the collections it
// changes in the plugin's \`touches\` option so a failed run puts them back.
export const ${input.exportName} = defineMigration<MongoTarget>({
  id: ${JSON.stringify(input.id)},
  title: ${JSON.stringify(input.title)},
  async up(ctx) {
    const db = dbOf(ctx.target);
    // e.g. await db.collection('accounts').updateMany({ plan: { $exists: false } }, { $set: { plan: 'free' } });
    void db;
    ${NOT_WRITTEN(input.id, 'up')}
  },
  async down(ctx) {
    const db = dbOf(ctx.target);
    // e.g. await db.collection('accounts').updateMany({}, { $unset: { plan: '' } });
    void db;
    ${NOT_WRITTEN(input.id, 'down')}
  },
  async validate(ctx) {
    const db = dbOf(ctx.target);
    // Return one issue per problem left, [] when the data is right.
    void db;
    ${NOT_WRITTEN(input.id, 'validate')}
  },
});
`;
  const cases = input.fixtureDir
    ? posix.dirname(input.fixtureDir.replaceAll('\\', '/'))
    : `../../fixtures/${input.plugin ?? 'plugin-mongo'}`;
  const test = `import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll } from 'vitest';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { goldenStates, ${harness} } from '@tidemark/plugin-mongo/testing';
import { migrations } from './index.js';

// Golden cases: <case>/before is captured from your database, TIDEMARK_UPDATE_GOLDEN=1 writes <case>/after.
const cases = fileURLToPath(new URL(${JSON.stringify(`${cases}/`)}, import.meta.url));
// Each target is a fresh random database on this server, dropped after the test.
const client = await new MongoClient(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017').connect();
afterAll(() => client.close());
const harness = ${harness}({ client, migrations: migrations[${JSON.stringify(input.target ?? 'app')}], states: await goldenStates(cases) });

describeGolden(harness, { dir: cases });
// The laws draw from the cases' before/ states: a few runs cover them.
describeLaws(harness, { runs: 3 });
`;
  return { migration, test };
}
