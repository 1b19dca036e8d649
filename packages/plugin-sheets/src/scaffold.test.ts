// plugin.scaffold(): a typed template whose up, down and validate throw until written.
import { expect, test } from 'vitest';
import { sheetsPlugin } from './plugin.js';

test('sheetsPlugin().scaffold: typed template, stubs that throw', () => {
  const out = sheetsPlugin().scaffold!({ id: '006_notes', title: 'notes column', exportName: 'm006Notes', plugin: 'plugin-sheets' });
  expect(out.migration).toContain("import type { SheetsTarget } from '@tidemark/plugin-sheets';");
  expect(out.migration).toContain('export const m006Notes = defineMigration<SheetsTarget>({');
  for (const what of ['up', 'down', 'validate']) expect(out.migration).toContain(`006_notes: ${what} not written yet`);
});
