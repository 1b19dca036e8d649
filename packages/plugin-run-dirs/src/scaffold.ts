// `tidemark new` for run directories: a migration that reads and writes through the file discipline (never
// in place: temp file, fsync, rename); `up`, `down` and `validate` throw until written. The test runs the
// golden cases and the laws with the `./testing` harness, the app's own migrations appended.
import { posix } from 'node:path';
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

const NOT_WRITTEN = (id: string, what: string) =>
  `throw new Error(${JSON.stringify(`${id}: ${what} not written yet`)});`;

export function scaffoldRunDirMigration(input: ScaffoldInput): ScaffoldOutput {
  const migration = `import { readFile } from 'node:fs/promises';
import { defineMigration } from '@tidemark/core';
import { exists, runPath, writeFileAtomic, type RunDirTarget } from '@tidemark/plugin-run-dirs';

// Why this migration exists (which legacy runs have the shape it fixes) goes here.
export const ${input.exportName} = defineMigration<RunDirTarget>({
  id: ${JSON.stringify(input.id)},
  title: ${JSON.stringify(input.title)},
  // requires: ['007_soils_parquet'],
  // version: 1008, // the nodb.version bundle this belongs to
  async up(ctx) {
    const path = runPath(ctx.target, 'example.json');
    // e.g. const data = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    //      await writeFileAtomic(path, JSON.stringify({ ...data, upgraded: true }));
    void [path, readFile, writeFileAtomic];
    ${NOT_WRITTEN(input.id, 'up')}
  },
  async down(ctx) {
    // Undo exactly what up wrote (the snapshot guard restores a failed run; down is for a deliberate rollback).
    void ctx;
    ${NOT_WRITTEN(input.id, 'down')}
  },
  async validate(ctx) {
    // Return one issue per file left in the old shape, [] when the run is right.
    void (await exists(runPath(ctx.target, 'example.json')));
    ${NOT_WRITTEN(input.id, 'validate')}
  },
});
`;
  const cases = input.fixtureDir
    ? posix.dirname(input.fixtureDir.replaceAll('\\', '/'))
    : `../../fixtures/${input.plugin ?? 'plugin-run-dirs'}`;
  const test = `import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { goldenStates, runDirsHarness } from '@tidemark/plugin-run-dirs/testing';
import { migrations } from './index.js';

// Golden cases: <case>/before/<runid>/ is captured from a run (tidemark corpus capture), TIDEMARK_UPDATE_GOLDEN=1
// writes <case>/after/<runid>/. Each target is a temp copy of the case's run.
const cases = fileURLToPath(new URL(${JSON.stringify(`${cases}/`)}, import.meta.url));
const harness = runDirsHarness({ migrations: migrations[${JSON.stringify(input.target ?? 'app')}], states: await goldenStates(cases) });

describeGolden(harness, { dir: cases });
describeLaws(harness, { runs: 3 });
`;
  return { migration, test };
}
