// plugin.scaffold() and capture(): stubs that throw until written, a golden + laws test on ./testing, and a
// captured run that the harness loads back as the same state.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runDirsPlugin } from './plugin.js';
import { loadFixtureRun, runDirsHarness } from './testing/index.js';

const CASE = fileURLToPath(new URL('../../../fixtures/plugin-run-dirs/full-legacy-run/before', import.meta.url));

describe('runDirsPlugin()', () => {
  test('scaffold: file-discipline template, stubs that throw, a golden + laws test on ./testing', () => {
    const out = runDirsPlugin().scaffold!({
      id: '008_note',
      title: 'a note',
      exportName: 'm008Note',
      plugin: 'plugin-run-dirs',
      fixtureDir: '../../fixtures/plugin-run-dirs/008_note',
      target: 'runs',
    });
    expect(out.migration).toContain("from '@tidemark/plugin-run-dirs';");
    for (const what of ['up', 'down', 'validate']) expect(out.migration).toContain(`008_note: ${what} not written yet`);
    expect(out.test).toContain("import { goldenStates, runDirsHarness } from '@tidemark/plugin-run-dirs/testing';");
    expect(out.test).toContain('migrations["runs"]');
    expect(out.test).toContain('"../../fixtures/plugin-run-dirs/"');
  });

  test('capture writes <runid>/ with {RUN_DIR} placeholders, which the harness loads as the same run', async () => {
    const harness = runDirsHarness();
    const original = await loadFixtureRun(CASE);
    const target = await harness.create(original);
    const dir = await mkdtemp(join(tmpdir(), 'tm-rd-cap-'));
    try {
      await runDirsPlugin().capture!(target, dir);
      expect(await loadFixtureRun(dir)).toEqual(await harness.read(target));
    } finally {
      await harness.dispose(target);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
