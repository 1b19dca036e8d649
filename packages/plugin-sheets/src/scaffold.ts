// `tidemark new` for this plugin: a typed migration that calls the Sheets API through the target's session
// (counted, retried with backoff, cache kept right); `up`, `down` and `validate` throw until written. The test
// runs the golden cases and the laws with the `./testing` harness (spreadsheets in the local emulator), the
// app's own migrations appended.
import { posix } from 'node:path';
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

const NOT_WRITTEN = (id: string, what: string) =>
  `throw new Error(${JSON.stringify(`${id}: ${what} not written yet`)});`;

export function scaffoldSheetsMigration(input: ScaffoldInput): ScaffoldOutput {
  const migration = `import { defineMigration } from '@tidemark/core';
import type { SheetsTarget } from '@tidemark/plugin-sheets';

// Why this migration exists (what the sheet's users need) goes here.
export const ${input.exportName} = defineMigration<SheetsTarget>({
  id: ${JSON.stringify(input.id)},
  title: ${JSON.stringify(input.title)},
  // requires: ['005_smoke_checks'],
  async up(ctx) {
    // Every API call goes through ctx.target.session.call(op, kind, fn): counted, retried, and the cached
    // values are dropped after a write. e.g.
    //   const sheets = await ctx.target.session.sheets();
    //   await ctx.target.session.call('values.update', 'write', (o) => sheets.spreadsheets.values.update({
    //     spreadsheetId: ctx.target.spreadsheetId, range: \`\${ctx.target.sheetName}!A1\`, valueInputOption: 'RAW',
    //     requestBody: { values: [['x']] }, ...o }));
    void ctx;
    ${NOT_WRITTEN(input.id, 'up')}
  },
  async down(ctx) {
    // Undo exactly what up wrote; a failed run is undone with it too.
    void ctx;
    ${NOT_WRITTEN(input.id, 'down')}
  },
  async validate(ctx) {
    // Return one issue per problem left, [] when the sheet is right.
    void ctx;
    ${NOT_WRITTEN(input.id, 'validate')}
  },
});
`;
  const cases = input.fixtureDir
    ? posix.dirname(input.fixtureDir.replaceAll('\\', '/'))
    : `../../fixtures/${input.plugin ?? 'plugin-sheets'}`;
  const test = `import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { goldenStates, sheetsHarness } from '@tidemark/plugin-sheets/testing';
import { migrations } from './index.js';

// Golden cases: <case>/before is captured from your sheet, TIDEMARK_UPDATE_GOLDEN=1 writes <case>/after.
const cases = fileURLToPath(new URL(${JSON.stringify(`${cases}/`)}, import.meta.url));
// Each target is a spreadsheet in the Sheets/Drive emulator this test serves on a local port (needs msw).
const harness = sheetsHarness({ migrations: migrations[${JSON.stringify(input.target ?? 'app')}], states: await goldenStates(cases) });

describeGolden(harness, { dir: cases });
// The laws draw from the cases' before/ states: a few runs cover them.
describeLaws(harness, { runs: 3 });
`;
  return { migration, test };
}
