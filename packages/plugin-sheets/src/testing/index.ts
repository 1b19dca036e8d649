// `@tidemark/plugin-sheets/testing`: a @tidemark/testing harness for an app's own migrations on sheetsPlugin
// (the five shipped steps first), whose targets are spreadsheets in the Sheets/Drive emulator served on a local
// port (`startSheetsEmulator`; needs `msw`). The state is every sheet's grid size and formatted values, so a
// column or cell your migration writes shows in golden `after/`.
import { createError } from '@tidemark/core';
import { join } from 'node:path';
import { listCases, type PluginHarness } from '@tidemark/testing';
import fc, { type Arbitrary } from 'fast-check';
import type { SheetsPluginOptions } from '../options.js';
import { sheetsPlugin } from '../plugin.js';
import type { SheetsTarget } from '../target.js';
import { startSheetsEmulator, type SheetsEmulator } from './emulator.js';
import { loadFixture, normalizeState, writeFixture, type SpreadsheetState } from './state.js';

export {
  startSheetsEmulator,
  EMULATOR_API_KEY,
  type SheetsEmulator,
  type StartSheetsEmulatorOptions,
} from './emulator.js';
export { loadFixture, writeFixture, type SpreadsheetState } from './state.js';

export interface SheetsHarnessOptions extends SheetsPluginOptions {
  /** The emulator the targets live in; default: one started on first use (and left to the test process's exit). */
  emulator?: SheetsEmulator;
  /** Legacy states the laws run over; default `states`. */
  arbitrary?: Arbitrary<SpreadsheetState>;
  /** States for the laws when no `arbitrary` is given: e.g. `await goldenStates(fixturesDir)`. */
  states?: readonly SpreadsheetState[];
  /** Every migration has a working `down`; default: true when each has one. */
  reversible?: boolean;
}

/** The `before/` states of every golden case under `dir` (for `states`). */
export async function goldenStates(dir: string): Promise<SpreadsheetState[]> {
  // A case that expects a refusal is no legacy target the laws can migrate.
  return Promise.all(
    listCases(dir)
      .filter((c) => c.spec.expectError === undefined)
      .map((c) => loadFixture(join(c.path, 'before'))),
  );
}

function statesArbitrary(states: readonly SpreadsheetState[] | undefined): Arbitrary<SpreadsheetState> {
  if (states && states.length > 0) return fc.constantFrom(...states);
  return fc.constant(null).map(() => {
    throw createError(
      'plugin-sheets',
      'harness: give `arbitrary` or `states` (e.g. await goldenStates(fixturesDir)) to run the laws',
    );
  });
}

/** sheetsPlugin (its five shipped steps, then your `migrations`) on spreadsheets in the emulator. */
export function sheetsHarness(options: SheetsHarnessOptions = {}): PluginHarness<SheetsTarget, SpreadsheetState> {
  const { emulator, arbitrary, states, reversible, ...pluginOptions } = options;
  const plugin = sheetsPlugin(pluginOptions);
  let started: Promise<SheetsEmulator> | undefined;
  const running = () => (started ??= emulator ? Promise.resolve(emulator) : startSheetsEmulator());
  const spreadsheets = new WeakMap<SheetsTarget, SheetsEmulator>();
  const on = (target: SheetsTarget) => {
    const e = spreadsheets.get(target);
    if (!e) throw createError('plugin-sheets', 'harness: this target was not made by the harness');
    return e;
  };
  const targetIn = (e: SheetsEmulator, id: string, sheetName?: string) => {
    const t = e.target(id, sheetName);
    spreadsheets.set(t, e);
    return t;
  };
  return {
    plugin,
    create: async (state) => {
      const e = await running();
      return targetIn(e, e.create(state));
    },
    read: async (target) => on(target).read(target.spreadsheetId),
    dispose: async (target) => on(target).remove(target.spreadsheetId),
    attach: async (target) => targetIn(on(target), target.spreadsheetId, target.sheetName),
    fixture: { load: loadFixture, write: writeFixture },
    arbitrary: arbitrary ?? statesArbitrary(states),
    reversible: reversible ?? plugin.migrations.every((m) => typeof m.down === 'function'),
    normalize: normalizeState,
    // The ledger's lock lives in the spreadsheet: poll it fast, wait long on a loaded machine.
    runner: { lock: { waitMs: 60_000, ttlMs: 30_000, pollMs: 5 } },
  };
}
