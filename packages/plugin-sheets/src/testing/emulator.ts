// The Google Sheets v4 + Drive v3 emulator (the one this package's own tests run on) served over HTTP on a
// local port, for an app's tests and for `tidemark` commands run against it: targets reach it through
// `sheetsTarget({ rootUrl: emulator.url, auth: <any API key> })`. It needs `msw` (an optional peer
// dependency), loaded only when an emulator starts.
import { createError } from '@tidemark/core';
import { sheetsTarget, type SheetsTarget } from '../target.js';
import { DEFAULT_SHEET_NAME } from '../schema.js';
import type { SpreadsheetState } from './state.js';

export interface SheetsEmulator {
  /** e.g. http://127.0.0.1:41234/ (the clients' rootUrl). */
  readonly url: string;
  /** Creates a spreadsheet holding `state`; returns its id. */
  create(state: SpreadsheetState): string;
  /** Every sheet's grid size and formatted values, read in-process. */
  read(spreadsheetId: string): SpreadsheetState;
  /** Deletes the spreadsheet and the Drive backups the plugin made of it. */
  remove(spreadsheetId: string): void;
  /** A target on one of its spreadsheets (any API key is accepted; retries do not sleep). */
  target(spreadsheetId: string, sheetName?: string): SheetsTarget;
  close(): Promise<void>;
}

export interface StartSheetsEmulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Keep the process alive while it listens (a standalone server). Default false: tests exit without closing it. */
  keepAlive?: boolean;
}

/** The API key emulator targets send; the emulator accepts any. */
export const EMULATOR_API_KEY = 'tidemark-emulator';

async function loadEmulator() {
  try {
    const [server, serve, state] = await Promise.all([
      import('../emulator/server.js'),
      import('../emulator/serve.js'),
      import('./emulator-state.js'),
    ]);
    return { ...server, ...serve, ...state };
  } catch (error) {
    if (
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      /['"]msw/.test(String((error as Error).message))
    ) {
      throw createError('plugin-sheets', 'the Sheets emulator needs msw: npm install --save-dev msw', { cause: error });
    }
    throw error;
  }
}

export async function startSheetsEmulator(options: StartSheetsEmulatorOptions = {}): Promise<SheetsEmulator> {
  const { GoogleEmulator, serveEmulator, createFrom, stateOf, removeSpreadsheet } = await loadEmulator();
  const emulator = new GoogleEmulator();
  const served = await serveEmulator(emulator, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host ? { host: options.host } : {}),
    unref: !options.keepAlive,
  });
  return {
    url: served.url,
    create: (state) => createFrom(emulator, state),
    read: (id) => stateOf(emulator, id),
    remove: (id) => removeSpreadsheet(emulator, id),
    target: (spreadsheetId, sheetName = DEFAULT_SHEET_NAME) =>
      sheetsTarget({
        spreadsheetId,
        sheetName,
        auth: EMULATOR_API_KEY,
        rootUrl: served.url,
        retry: { retries: 6, baseDelayMs: 1, maxDelayMs: 5 },
        sleep: async () => {},
      }),
    close: () => served.close(),
  };
}
