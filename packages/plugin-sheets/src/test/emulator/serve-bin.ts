// `node --import tsx src/test/emulator/serve-bin.ts --fixture <dir> [--port n]`: one spreadsheet loaded from a
// fixture folder (spreadsheet.json + a CSV per sheet), served until SIGINT/SIGTERM. Prints one JSON line on
// stdout, `{ "url", "spreadsheetId" }`, once it listens. Any API key or the emulator's token is accepted.
import { resolve } from 'node:path';
import { createFrom, loadFixture } from '../sheets-harness.js';
import { serveEmulator } from './serve.js';
import { GoogleEmulator } from './server.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const fixture = flag('--fixture');
if (!fixture) {
  process.stderr.write('usage: serve-bin.ts --fixture <dir with spreadsheet.json> [--port n]\n');
  process.exit(2);
}
const emulator = new GoogleEmulator();
const spreadsheetId = createFrom(emulator, await loadFixture(resolve(fixture)));
const served = await serveEmulator(emulator, { port: Number(flag('--port') ?? 0) });
process.stdout.write(`${JSON.stringify({ url: served.url, spreadsheetId })}\n`);

const stop = () => {
  served.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
