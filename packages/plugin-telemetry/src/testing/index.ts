// `@tidemark/plugin-telemetry/testing`: the @tidemark/testing harness for an app's own migrations on this
// plugin (appended after the shipped ones). A target is a fresh database from `database` plus a temp folder
// holding config.json and logs/; the state is those files and every table of the database (the plugin's
// without their import timestamps, and any table an app added) except the ledger's, so an app's column or
// table shows in golden `after/`. A case's before/ is the legacy folder (config.json, logs/...): the database
// starts empty and the shipped migrations create it.
import { createError } from '@tidemark/core';
import { DEFAULT_LEDGER_TABLE } from '../ledger.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCases, type PluginHarness } from '@tidemark/testing';
import fc, { type Arbitrary } from 'fast-check';
import type { Knex } from 'knex';
import type { TelemetryPluginOptions } from '../options.js';
import { telemetryPlugin } from '../plugin.js';
import type { TelemetryTarget } from '../target.js';
import { loadFixture, normalizeState, readFolder, writeFixture, writeFolder, type TelemetryState } from './state.js';
import { readAppTables } from './app-tables.js';

export { loadFixture, writeFixture, normalizeState, type TelemetryState } from './state.js';
export { postgresDatabases, type FreshDatabase } from './databases.js';

export interface TelemetryHarnessOptions extends TelemetryPluginOptions {
  /** A fresh, empty database per target, and how to drop it (e.g. `postgresDatabases(url)`). */
  database: () => Promise<{ knex: Knex; drop(): Promise<void> }>;
  /** Legacy folders the laws run over; default `states`. */
  arbitrary?: Arbitrary<TelemetryState>;
  /** States for the laws when no `arbitrary` is given: e.g. `await goldenStates(fixturesDir)`. */
  states?: readonly TelemetryState[];
  /** Tables to leave out of the state besides the ledger's. */
  exclude?: readonly string[];
  /** Every migration has a working `down`; default: true when each migration has one. */
  reversible?: boolean;
}

/** The `before/` states of every golden case under `dir` (for `states`). */
export async function goldenStates(dir: string): Promise<TelemetryState[]> {
  // A case that expects a refusal is no legacy target the laws can migrate.
  return Promise.all(
    listCases(dir)
      .filter((c) => c.spec.expectError === undefined)
      .map((c) => loadFixture(join(c.path, 'before'))),
  );
}

function statesArbitrary(states: readonly TelemetryState[] | undefined): Arbitrary<TelemetryState> {
  if (states && states.length > 0) return fc.constantFrom(...states);
  return fc.constant(null).map(() => {
    throw createError(
      'plugin-telemetry',
      'telemetryHarness: give `arbitrary` or `states` (e.g. await goldenStates(fixturesDir)) to run the laws',
    );
  });
}

interface Owned {
  root: string;
  drop(): Promise<void>;
}

export function telemetryHarness(options: TelemetryHarnessOptions): PluginHarness<TelemetryTarget, TelemetryState> {
  const { database, arbitrary, states, exclude, reversible, ...pluginOptions } = options;
  // A fixture is history no logger is still writing: its files are closed, a last line without a newline is truncated.
  const plugin = telemetryPlugin({ closedAfterMs: 0, ...pluginOptions });
  const owned = new WeakMap<TelemetryTarget, Owned>();
  const ledgerTable = pluginOptions.ledgerTable ?? DEFAULT_LEDGER_TABLE;
  return {
    plugin,
    async create(state) {
      const tables = Object.keys(state.tables);
      if (tables.length > 0)
        throw createError(
          'plugin-telemetry',
          `telemetryHarness: a case's before/ is the legacy folder only (config.json, logs/); it holds tables ${tables.join(', ')}`,
        );
      const db = await database();
      const root = await mkdtemp(join(tmpdir(), 'tdm-tel-app-'));
      await writeFolder(state.files, root);
      const target: TelemetryTarget = {
        knex: db.knex,
        logsDir: join(root, 'logs'),
        configPath: join(root, 'config.json'),
        backupDir: join(root, 'backups'),
      };
      owned.set(target, { root, drop: db.drop });
      return target;
    },
    async read(target) {
      const o = owned.get(target);
      if (!o) throw createError('plugin-telemetry', 'telemetryHarness: not a target of this harness');
      return {
        files: await readFolder(o.root),
        tables: await readAppTables(target.knex, { ledgerTable, ...(exclude ? { exclude } : {}) }),
      };
    },
    async dispose(target) {
      const o = owned.get(target);
      if (!o) return;
      await o.drop();
      await rm(o.root, { recursive: true, force: true });
    },
    fixture: { load: loadFixture, write: writeFixture },
    arbitrary: arbitrary ?? statesArbitrary(states),
    reversible: reversible ?? plugin.migrations.every((m) => typeof m.down === 'function'),
    normalize: normalizeState,
    atomicity: 'step',
  };
}
