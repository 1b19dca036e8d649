// plugin.scaffold(): a typed template whose up, down and validate throw until written.
import { expect, test } from 'vitest';
import { sheetsPlugin } from './plugin.js';

test('sheetsPlugin().scaffold: typed template, stubs that throw', () => {
  const out = sheetsPlugin().scaffold!({
    id: '006_notes',
    title: 'notes column',
    exportName: 'm006Notes',
    plugin: 'plugin-sheets',
  });
  expect(out.migration).toContain("import type { SheetsTarget } from '@tidemark/plugin-sheets';");
  expect(out.migration).toContain('export const m006Notes = defineMigration<SheetsTarget>({');
  for (const what of ['up', 'down', 'validate']) expect(out.migration).toContain(`006_notes: ${what} not written yet`);
});

test("sheetsPlugin().scaffold: a golden + laws test on the ./testing harness, over the case's folder", () => {
  const out = sheetsPlugin().scaffold!({
    id: '006_notes',
    title: 'notes column',
    exportName: 'm006Notes',
    plugin: 'plugin-sheets',
    fixtureDir: '../../fixtures/plugin-sheets/006_notes',
    target: 'sheet',
  });
  expect(out.test).toContain("import { goldenStates, sheetsHarness } from '@tidemark/plugin-sheets/testing';");
  expect(out.test).toContain('new URL("../../fixtures/plugin-sheets/", import.meta.url)');
  expect(out.test).toContain('migrations: migrations["sheet"]');
  expect(out.test).toContain('describeGolden(harness, { dir: cases });');
  expect(out.test).toContain('describeLaws(harness');
});
