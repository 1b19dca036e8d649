// Test wiring: one emulator per test file, an OAuth2 client with a token the emulator accepts, and targets
// whose backoff does not sleep for real.
import { OAuth2Client } from 'google-auth-library';
import { sheetsTarget, type SheetsTarget } from '../target.js';
import { GoogleEmulator } from '../emulator/server.js';
import type { SheetSeed } from '../emulator/model.js';

export function testAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-access-token', expiry_date: Date.now() + 3_600_000 });
  return auth;
}

export function startEmulator(): { emulator: GoogleEmulator; close: () => void } {
  const emulator = new GoogleEmulator();
  const server = emulator.listen();
  return { emulator, close: () => server.close() };
}

export function newTarget(
  spreadsheetId: string,
  sheetName = 'Operaciones',
  extra: { retries?: number } = {},
): SheetsTarget {
  return sheetsTarget({
    spreadsheetId,
    sheetName,
    auth: testAuth(),
    retry: { retries: extra.retries ?? 6, baseDelayMs: 1, maxDelayMs: 5 },
    sleep: async () => {},
  });
}

export function seedSheet(emulator: GoogleEmulator, seeds: SheetSeed[]): string {
  return emulator.createSpreadsheet('ZEUES Produccion', seeds);
}

/** The data sheet's values (FORMATTED strings trimmed like the API), for assertions. */
export function gridOf(emulator: GoogleEmulator, id: string, title = 'Operaciones') {
  const s = emulator.model.spreadsheet(id);
  const sheet = s.sheets.find((x) => x.title === title)!;
  return {
    rowCount: sheet.rowCount,
    columnCount: sheet.columnCount,
    hidden: sheet.hidden,
    values: emulator.model.getValues(s, title, 'FORMULA').values as unknown[][] | undefined,
  };
}
