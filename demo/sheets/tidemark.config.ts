// Seed 002: the ZEUES production spreadsheet, v2.1 -> v3.0, on the official Sheets v4 and Drive v3 clients.
// The demo points both clients at the in-repo Google API emulator served on a local port (rootUrl) with any
// API key; against Google, drop rootUrl and pass `auth: await serviceAccountAuth({ keyFile: 'sa.json' })`.
// Copy it: set SHEET_ID (and GOOGLE_API_ROOT only for an emulator).
import { drive } from '@googleapis/drive';
import { sheets } from '@googleapis/sheets';
import { defineConfig } from '@tidemark/cli';
import { sheetsPlugin, sheetsTarget } from '@tidemark/plugin-sheets';

const spreadsheetId = process.env.SHEET_ID;
const rootUrl = process.env.GOOGLE_API_ROOT;
if (!spreadsheetId || !rootUrl)
  throw new Error('set SHEET_ID and GOOGLE_API_ROOT (npm run demo -- sheets serves the emulator and sets both)');
const auth = process.env.GOOGLE_API_KEY ?? 'demo-api-key';

export default defineConfig({
  targets: {
    zeues: {
      plugin: sheetsPlugin({ rollback: { mode: 'columns', windowDays: 7 } }),
      target: () =>
        sheetsTarget({
          spreadsheetId,
          sheetName: 'Operaciones',
          sheets: sheets({ version: 'v4', auth, rootUrl }),
          drive: drive({ version: 'v3', auth, rootUrl }),
          retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 },
        }),
      lock: { ttlMs: 120_000, waitMs: 10_000 },
    },
  },
});
