// Templates for plugins without a `scaffold()`: a migration that runs as it is, and a test that runs it.
export function genericMigration(input: { id: string; title: string; exportName: string }): string {
  return `import { defineMigration } from '@tidemark/core';

/** ${input.title} */
export const ${input.exportName} = defineMigration<unknown>({
  id: ${JSON.stringify(input.id)},
  title: ${JSON.stringify(input.title)},
  async up(ctx) {
    // Change ctx.target here; report ctx.progress(done, total) on long work.
    ctx.log('${input.id}: nothing to change yet');
  },
  async down(ctx) {
    ctx.log('${input.id}: nothing to undo yet');
  },
  async validate() {
    return [];
  },
});
`;
}

/** Runs the new migration alone on a scratch target with an in-memory ledger: up, up again, down. */
export function genericTest(input: { id: string; exportName: string; target: string }): string {
  const { id, exportName, target } = input;
  const list = listOf(target);
  return `import { createRunner, definePlugin, memoryLedger } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { ${exportName} } from './${id}.js';
import { migrations } from './index.js';

describe(${JSON.stringify(id)}, () => {
  it('is registered', () => {
    expect(${list}).toContain(${exportName});
  });

  it('runs up once, then down', async () => {
    const ledger = memoryLedger();
    const plugin = definePlugin<unknown>({
      name: 'scratch',
      migrations: [{ ...${exportName}, requires: [] }],
      ledger: () => ledger,
      describe: () => 'scratch target',
    });
    const runner = createRunner({ plugin, target: {} });
    expect((await runner.up()).applied).toEqual([${JSON.stringify(id)}]);
    expect((await runner.up()).outcome).toBe('nothing-to-do');
    expect((await runner.verify()).ok).toBe(true);
    if (${exportName}.down) {
      expect((await runner.down({ to: null })).reverted).toEqual([${JSON.stringify(id)}]);
      expect(await ledger.read()).toEqual([]);
    }
  });
});
`;
}

/** `migrations.<target>` in the index: the target's list of the app's migrations. */
export function listOf(target: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(target) ? `migrations.${target}` : `migrations[${JSON.stringify(target)}]`;
}

/**
 * How the generated test makes each public plugin's `./testing` harness, by plugin name (for plugins whose
 * scaffold() gives no test). `call` is an expression over `list` (the target's migrations in the index),
 * `cases` (the plugin's fixture folder) and, with `opens`, `app` (the configured target, opened from the config).
 */
export interface KnownHarness {
  from: string;
  names: readonly string[];
  call: (list: string) => string;
  opens?: boolean;
}

const states =
  (factory: string, extra = ''): KnownHarness['call'] =>
  (list) =>
    `${factory}({ migrations: ${list}, states: await goldenStates(cases)${extra} })`;
const serverOfDatabaseUrl =
  "(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\\/[^/]*$/, '')";

export const KNOWN_HARNESSES: Readonly<Record<string, KnownHarness>> = {
  'plugin-run-dirs': {
    from: '@tidemark/plugin-run-dirs/testing',
    names: ['goldenStates', 'runDirsHarness'],
    call: states('runDirsHarness'),
  },
  'plugin-telemetry': {
    from: '@tidemark/plugin-telemetry/testing',
    names: ['goldenStates', 'postgresDatabases', 'telemetryHarness'],
    call: states('telemetryHarness', `, database: postgresDatabases(${serverOfDatabaseUrl})`),
  },
  // A run without produced_at is snapshotted at "now": a fixed clock keeps after/ stable.
  'plugin-snapshots': {
    from: '@tidemark/plugin-snapshots/testing',
    names: ['goldenStates', 'snapshotsHarness'],
    call: states('snapshotsHarness', ", clock: () => new Date('2000-01-01T00:00:00.000Z')"),
  },
  'plugin-mongo': {
    from: '@tidemark/plugin-mongo/testing',
    names: ['goldenStates', 'mongoHarness'],
    call: states('mongoHarness', ', client: app.target.client'),
    opens: true,
  },
  'mongo-app': {
    from: '@tidemark/plugin-mongo/testing',
    names: ['goldenStates', 'mongoAppHarness'],
    call: states('mongoAppHarness', ', client: app.target.client'),
    opens: true,
  },
  knex: {
    from: '@tidemark/sql/testing',
    names: ['knexHarness'],
    call: (list) => `knexHarness({ target: app.target, migrations: ${list}, fixturesDir: cases })`,
    opens: true,
  },
  typeorm: {
    from: '@tidemark/sql/testing',
    names: ['typeormHarness'],
    call: (list) => `typeormHarness({ target: app.target, migrations: ${list}, fixturesDir: cases })`,
    opens: true,
  },
};

/**
 * The golden cases of the plugin's fixture folder and the six laws (over the cases' before/ states), with the
 * plugin's harness and the app's migrations of this target appended to the shipped ones.
 */
export function goldenLawsTest(input: {
  id: string;
  exportName: string;
  target: string;
  casesDir: string;
  configDir: string;
  harness: KnownHarness;
}): string {
  const { id, exportName, target, casesDir, configDir, harness } = input;
  const list = listOf(target);
  const opens = harness.opens
    ? `const app = await openConfiguredTarget(${JSON.stringify(target)}, { cwd: fileURLToPath(new URL(${JSON.stringify(`${configDir}/`)}, import.meta.url)) });
afterAll(() => app.close());
`
    : '';
  return `import { fileURLToPath } from 'node:url';
${harness.opens ? "import { openConfiguredTarget } from '@tidemark/cli';\n" : ''}import { describeGolden, describeLaws, listCases } from '@tidemark/testing';
import { ${harness.names.join(', ')} } from '${harness.from}';
import { ${harness.opens ? 'afterAll, ' : ''}describe, expect, it } from 'vitest';
import { ${exportName} } from './${id}.js';
import { migrations } from './index.js';

// Every case of ${casesDir}/: up(before) == after (TIDEMARK_UPDATE_GOLDEN=1 writes after/ for review), twice == once,
// down(after) == before; the laws run over the cases' before/ states.
const cases = fileURLToPath(new URL(${JSON.stringify(`${casesDir}/`)}, import.meta.url));
${opens}const harness = ${harness.call(list)};

describe(${JSON.stringify(id)}, () => {
  it(${JSON.stringify(`is registered for target ${target}`)}, () => {
    expect(${list}).toContain(${exportName});
  });
});

describeGolden(harness, { dir: cases });
// The laws draw from the cases' before/ states, each run on fresh targets (law 4 once per step): one run per
// case covers them; raise \`runs\` when you give the harness an arbitrary.
describeLaws(harness, { runs: Math.max(1, listCases(cases).length) });
`;
}
