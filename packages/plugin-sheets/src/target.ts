// The target: one sheet of one spreadsheet, reached through the caller's auth (or clients). Kysely style: the
// caller owns credentials; we only borrow them.
import { createError } from '@tidemark/core';
import type { drive_v3 } from '@googleapis/drive';
import type { sheets_v4 } from '@googleapis/sheets';
import { SheetsSession, type AuthLike, type RetryOptions } from './client.js';
import { DEFAULT_SHEET_NAME } from './schema.js';

export interface SheetsTarget {
  readonly spreadsheetId: string;
  /** The data sheet (default "Operaciones"). */
  readonly sheetName: string;
  readonly session: SheetsSession;
}

export interface SheetsTargetOptions {
  spreadsheetId: string;
  sheetName?: string;
  /**
   * An auth client from google-auth-library (OAuth2Client, JWT, GoogleAuth, ...) or an API key. For a service
   * account use `serviceAccountAuth()`; for OAuth, an OAuth2Client with the user's refresh token.
   */
  auth?: AuthLike;
  /**
   * Where the Sheets v4 and Drive v3 APIs answer, e.g. a local emulator's `http://127.0.0.1:4010/` (see
   * `@tidemark/plugin-sheets/testing`). Default: Google's.
   */
  rootUrl?: string;
  /** Or bring your own clients (they carry their own auth). */
  sheets?: sheets_v4.Sheets;
  drive?: drive_v3.Drive;
  retry?: RetryOptions;
  /** For tests: replaces the backoff sleep. */
  sleep?: (ms: number) => Promise<void>;
}

export function sheetsTarget(options: SheetsTargetOptions): SheetsTarget {
  if (!options.spreadsheetId) throw createError('plugin-sheets', 'spreadsheetId is required');
  if (!options.auth && !(options.sheets && options.drive)) {
    throw createError('plugin-sheets', 'pass `auth` (an auth client or API key) or both `sheets` and `drive` clients');
  }
  return {
    spreadsheetId: options.spreadsheetId,
    sheetName: options.sheetName ?? DEFAULT_SHEET_NAME,
    session: new SheetsSession({
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
      ...(options.sheets ? { sheets: options.sheets } : {}),
      ...(options.drive ? { drive: options.drive } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    }),
  };
}

export const SCOPES = ['https://www.googleapis.com/auth/spreadsheets', 'https://www.googleapis.com/auth/drive'];

/** A service-account auth client (key file path or parsed key JSON), loaded lazily from google-auth-library. */
export async function serviceAccountAuth(
  key: { keyFile: string } | { credentials: { client_email: string; private_key: string } },
): Promise<AuthLike> {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ ...key, scopes: SCOPES });
}
