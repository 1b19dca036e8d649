// The PluginHarness for @tidemark/testing: a target is a spreadsheet in the emulator; its observable state is
// every sheet's grid size and formatted values (developer metadata = the ledger is excluded). Fixtures are one
// CSV per sheet plus spreadsheet.json with the grid properties.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { PluginHarness } from '@tidemark/testing';
import { sheetsPlugin } from '../plugin.js';
import { V21_HEADERS } from '../schema.js';
import type { SheetsTarget } from '../target.js';
import { parseCsv } from '../csv.js';
import { writeSpreadsheetFiles } from '../capture.js';
import type { CellValue } from './emulator/model.js';
import type { GoogleEmulator } from './emulator/server.js';
import { newTarget } from './harness.js';

export interface SheetState {
  title: string;
  sheets: { title: string; rowCount: number; columnCount: number; hidden: boolean; values: string[][] }[];
}

/** Typed-in values: numbers and booleans become numbers and booleans, as USER_ENTERED would. */
function typed(v: string): CellValue {
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return Number(v);
  return v;
}

function formatted(v: CellValue): string {
  return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
}

export function createFrom(emulator: GoogleEmulator, state: SheetState): string {
  return emulator.createSpreadsheet(
    state.title,
    state.sheets.map((s) => ({ title: s.title, rowCount: s.rowCount, columnCount: s.columnCount, hidden: s.hidden, values: s.values.map((r) => r.map(typed)) })),
  );
}

export function stateOf(emulator: GoogleEmulator, id: string): SheetState {
  const s = emulator.model.spreadsheet(id);
  return {
    title: s.title,
    sheets: s.sheets.map((sh) => ({
      title: sh.title,
      rowCount: sh.rowCount,
      columnCount: sh.columnCount,
      hidden: sh.hidden,
      values: ((emulator.model.getValues(s, `'${sh.title.replace(/'/g, "''")}'`, 'FORMATTED_VALUE').values ?? []) as string[][]).map((r) => [...r]),
    })),
  };
}

export async function loadFixture(dir: string): Promise<SheetState> {
  const meta = JSON.parse(await readFile(join(dir, 'spreadsheet.json'), 'utf8')) as { title: string; sheets: { title: string; rowCount: number; columnCount: number; hidden?: boolean; file: string }[] };
  const sheets = [];
  for (const s of meta.sheets) {
    const values = parseCsv(await readFile(join(dir, s.file), 'utf8'));
    sheets.push({ title: s.title, rowCount: s.rowCount, columnCount: s.columnCount, hidden: s.hidden ?? false, values: trim(values) });
  }
  return { title: meta.title, sheets };
}

export async function writeFixture(state: SheetState, dir: string): Promise<void> {
  await writeSpreadsheetFiles(state, dir);
}

/** Trailing empty cells and rows are not observable through the API. */
function trim(values: string[][]): string[][] {
  const rows = values.map((r) => {
    const x = [...r];
    while (x.length && x[x.length - 1] === '') x.pop();
    return x;
  });
  while (rows.length && rows[rows.length - 1]!.length === 0) rows.pop();
  return rows;
}

const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', 'PENDIENTE', 'SOLDADO', 'Codelco', 'a, "b"', 'x\ny', 'ñandú') },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 100_000 }).map(String) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9 _-]{1,8}$/).map((s) => s.trim()) },
);

/** v2.1 sheets: 0..12 spools, some rows with an empty TAG_SPOOL, spare grid rows/columns, a second tab sometimes. */
export const v21Arbitrary: fc.Arbitrary<SheetState> = fc
  .record({
    rows: fc.array(fc.tuple(fc.boolean(), fc.array(cell, { minLength: 64, maxLength: 64 })), { maxLength: 12 }),
    spareRows: fc.integer({ min: 0, max: 5 }),
    spareCols: fc.integer({ min: 0, max: 3 }),
    otherTab: fc.boolean(),
  })
  .map(({ rows, spareRows, spareCols, otherTab }) => {
    const values = trim([[...V21_HEADERS], ...rows.map(([hasKey, rest], i) => [hasKey ? `SP-${String(i).padStart(4, '0')}` : '', ...rest])]);
    const sheets = [{ title: 'Operaciones', rowCount: Math.max(1, values.length) + spareRows, columnCount: 65 + spareCols, hidden: false, values }];
    if (otherTab) sheets.push({ title: 'Metadata', rowCount: 10, columnCount: 3, hidden: false, values: [['clave', 'valor'], ['planta', 'Quilicura']] });
    return { title: 'ZEUES Produccion', sheets };
  });

export function sheetsHarness(emulator: GoogleEmulator): PluginHarness<SheetsTarget, SheetState> {
  return {
    plugin: sheetsPlugin(),
    create: async (state) => newTarget(createFrom(emulator, state)),
    read: async (target) => stateOf(emulator, target.spreadsheetId),
    dispose: async (target) => {
      for (const [id, file] of emulator.model.files) if (id === target.spreadsheetId || file.appProperties.tidemarkBackupOf === target.spreadsheetId) emulator.model.deleteFile(id);
    },
    attach: async (target) => newTarget(target.spreadsheetId, target.sheetName),
    fixture: { load: loadFixture, write: writeFixture },
    arbitrary: v21Arbitrary,
    reversible: true,
    normalize: (state) => ({ ...state, sheets: state.sheets.map((sh) => ({ ...sh, values: trim(sh.values.map((r) => r.map((v) => formatted(typed(v))))) })) }),
    runner: { lock: { waitMs: 60_000, ttlMs: 30_000, pollMs: 5 } },
  };
}
