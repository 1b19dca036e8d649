// A SpreadsheetState in and out of the emulator's model (in-process, no API calls).
import type { GoogleEmulator } from '../emulator/server.js';
import { typed, type SpreadsheetState } from './state.js';

export function createFrom(emulator: GoogleEmulator, state: SpreadsheetState): string {
  return emulator.createSpreadsheet(
    state.title,
    state.sheets.map((s) => ({
      title: s.title,
      rowCount: s.rowCount,
      columnCount: s.columnCount,
      hidden: s.hidden,
      values: s.values.map((r) => r.map(typed)),
    })),
  );
}

export function stateOf(emulator: GoogleEmulator, id: string): SpreadsheetState {
  const s = emulator.model.spreadsheet(id);
  return {
    title: s.title,
    sheets: s.sheets.map((sh) => ({
      title: sh.title,
      rowCount: sh.rowCount,
      columnCount: sh.columnCount,
      hidden: sh.hidden,
      values: (
        (emulator.model.getValues(s, `'${sh.title.replace(/'/g, "''")}'`, 'FORMATTED_VALUE').values ?? []) as string[][]
      ).map((r) => [...r]),
    })),
  };
}

/** Deletes the spreadsheet and every backup the plugin made of it. */
export function removeSpreadsheet(emulator: GoogleEmulator, id: string): void {
  for (const [fileId, file] of emulator.model.files)
    if (fileId === id || file.appProperties.tidemarkBackupOf === id) emulator.model.deleteFile(fileId);
}
