// The PluginHarness for @tidemark/testing: a target is a spreadsheet in the emulator; its observable state is
// every sheet's grid size and formatted values (developer metadata = the ledger is excluded). Fixtures are one
// CSV per sheet plus spreadsheet.json with the grid properties.
import fc from 'fast-check';
import type { PluginHarness } from '@tidemark/testing';
import { sheetsPlugin } from '../plugin.js';
import { V21_HEADERS } from '../schema.js';
import type { SheetsTarget } from '../target.js';
import { createFrom, removeSpreadsheet, stateOf } from '../testing/emulator-state.js';
import {
  loadFixture,
  normalizeState,
  trimValues as trim,
  writeFixture,
  type SpreadsheetState,
} from '../testing/state.js';
import type { GoogleEmulator } from '../emulator/server.js';
import { newTarget } from './harness.js';

// The state and fixture code is the `./testing` subpath's (an app's tests use the same); re-exported for the
// package's own tests.
export type SheetState = SpreadsheetState;
export { createFrom, stateOf, loadFixture, writeFixture };

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
    const values = trim([
      [...V21_HEADERS],
      ...rows.map(([hasKey, rest], i) => [hasKey ? `SP-${String(i).padStart(4, '0')}` : '', ...rest]),
    ]);
    const sheets = [
      {
        title: 'Operaciones',
        rowCount: Math.max(1, values.length) + spareRows,
        columnCount: 65 + spareCols,
        hidden: false,
        values,
      },
    ];
    if (otherTab)
      sheets.push({
        title: 'Metadata',
        rowCount: 10,
        columnCount: 3,
        hidden: false,
        values: [
          ['clave', 'valor'],
          ['planta', 'Quilicura'],
        ],
      });
    return { title: 'ZEUES Produccion', sheets };
  });

export function sheetsHarness(emulator: GoogleEmulator): PluginHarness<SheetsTarget, SheetState> {
  return {
    plugin: sheetsPlugin(),
    create: async (state) => newTarget(createFrom(emulator, state)),
    read: async (target) => stateOf(emulator, target.spreadsheetId),
    dispose: async (target) => removeSpreadsheet(emulator, target.spreadsheetId),
    attach: async (target) => newTarget(target.spreadsheetId, target.sheetName),
    fixture: { load: loadFixture, write: writeFixture },
    arbitrary: v21Arbitrary,
    reversible: true,
    normalize: normalizeState,
    runner: { lock: { waitMs: 60_000, ttlMs: 30_000, pollMs: 5 } },
  };
}
