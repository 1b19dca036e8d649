// The harness of `@tidemark/plugin-run-dirs/testing`: the shipped corpus passes through it unchanged, and an
// app migration's new file shows in the state.
import { fileURLToPath } from 'node:url';
import { createRunner, defineMigration } from '@tidemark/core';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { describe, expect, test } from 'vitest';
import { writeFileAtomic } from '../file-ops.js';
import { runPath, type RunDirTarget } from '../target.js';
import { goldenStates, loadFixtureRun, runDirsHarness } from './index.js';

const CORPUS = fileURLToPath(new URL('../../../../fixtures/plugin-run-dirs/', import.meta.url));

const shipped = runDirsHarness({ states: await goldenStates(CORPUS) });
describeGolden(shipped, { dir: CORPUS });
describeLaws(shipped, { runs: 2, timeout: 120_000 });

const addNote = defineMigration<RunDirTarget>({
  id: '008_app_note',
  title: 'app: notes/app.json',
  requires: ['007_soils_parquet'],
  async up(ctx) {
    await writeFileAtomic(runPath(ctx.target, 'notes/app.json'), '{"by":"app"}\n');
  },
});

describe('runDirsHarness with an app migration', () => {
  test("the app's file shows in the state", async () => {
    const harness = runDirsHarness({ migrations: [addNote] });
    const target = await harness.create(await loadFixtureRun(`${CORPUS}new-run-current-layout/before`));
    try {
      await createRunner({ ...harness.runner, plugin: harness.plugin as never, target }).up();
      expect((await harness.read(target)).files['notes/app.json']).toEqual({ text: '{"by":"app"}\n' });
    } finally {
      await harness.dispose(target);
    }
  });
});
