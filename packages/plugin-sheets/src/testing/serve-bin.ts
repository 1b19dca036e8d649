#!/usr/bin/env node
// `tidemark-sheets-emulator [--fixture <dir>]... [--port n]`: the Sheets/Drive emulator on a local port, one
// spreadsheet per fixture folder (spreadsheet.json + a CSV per sheet, as `tidemark new` captures them), until
// SIGINT/SIGTERM. Prints one JSON line once it listens: `{ "url", "spreadsheetIds" }`. Point a target at it
// with `sheetsTarget({ spreadsheetId, rootUrl: url, auth: 'any-key' })` (e.g. SHEETS_API_URL in the config
// `tidemark init --plugin sheets` writes). Needs `msw`.
import { resolve } from 'node:path';
import { startSheetsEmulator } from './emulator.js';
import { loadFixture } from './state.js';

const args = process.argv.slice(2);
const fixtures: string[] = [];
let port = 0;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const value = args[i + 1];
  if ((arg === '--fixture' || arg === '--port') && value === undefined) {
    process.stderr.write(`${arg} needs a value\n`);
    process.exit(2);
  }
  if (arg === '--fixture') fixtures.push(resolve(value!));
  else if (arg === '--port') {
    port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`--port takes a port number (0 to 65535), not "${value}"\n`);
      process.exit(2);
    }
  } else {
    process.stderr.write(`unknown argument ${arg}\nusage: tidemark-sheets-emulator [--fixture <dir>]... [--port n]\n`);
    process.exit(2);
  }
  i++;
}

try {
  const emulator = await startSheetsEmulator({ port, keepAlive: true });
  const spreadsheetIds: string[] = [];
  for (const dir of fixtures) spreadsheetIds.push(emulator.create(await loadFixture(dir)));
  process.stdout.write(`${JSON.stringify({ url: emulator.url, spreadsheetIds })}\n`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
