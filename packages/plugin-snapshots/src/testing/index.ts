// `@tidemark/plugin-snapshots/testing`: the @tidemark/testing harness for an app's own migrations on this
// plugin. Each target is a fresh database from `connect` (default: in-memory sql.js), loaded with a case's
// `before/`; `read` covers every table and column (see app-state.ts), so an app's change shows in `after/`.
import { createError } from '@tidemark/core';
import { join } from 'node:path';
import type { Migration } from '@tidemark/core';
import { listCases, type PluginHarness } from '@tidemark/testing';
import fc, { type Arbitrary } from 'fast-check';
import { DataSource } from 'typeorm';
import { snapshotEntities } from '../entities.js';
import type { SnapshotsPluginOptions } from '../options.js';
import { snapshotsPlugin } from '../plugin.js';
import { normalizeState } from '../state.js';
import { loadAppState, readAppFixture, readAppState, writeAppFixture, type AppSnapshotsState } from './app-state.js';

export {
  readAppState,
  loadAppState,
  readAppFixture,
  writeAppFixture,
  type AppSnapshotsState,
  type AppStateOptions,
  type Row,
} from './app-state.js';

export interface SnapshotsHarnessOptions extends SnapshotsPluginOptions {
  /** A fresh, empty, initialized DataSource per target (default: in-memory sql.js, needs the `sql.js` package). */
  connect?: () => Promise<DataSource>;
  /** Closes a target made by `connect` (default: `ds.destroy()`). Drop a per-test database or schema here. */
  close?: (ds: DataSource) => Promise<void>;
  /** Legacy states the laws run over; default `states`. */
  arbitrary?: Arbitrary<AppSnapshotsState>;
  /** States for the laws when no `arbitrary` is given: e.g. `await goldenStates(fixturesDir)`. */
  states?: readonly AppSnapshotsState[];
  /** Tables to leave out of the state besides the ledger's. */
  exclude?: readonly string[];
  /** Every migration has a working `down`; default: true when each migration has one. */
  reversible?: boolean;
}

/** The `before/` states of every golden case under `dir` (for `states`). */
export async function goldenStates(dir: string): Promise<AppSnapshotsState[]> {
  // A case that expects a refusal is no legacy target the laws can migrate.
  return Promise.all(
    listCases(dir)
      .filter((c) => c.spec.expectError === undefined)
      .map((c) => readAppFixture(join(c.path, 'before'))),
  );
}

function statesArbitrary(states: readonly AppSnapshotsState[] | undefined): Arbitrary<AppSnapshotsState> {
  if (states && states.length > 0) return fc.constantFrom(...states);
  return fc.constant(null).map(() => {
    throw createError(
      'plugin-snapshots',
      'snapshotsHarness: give `arbitrary` or `states` (e.g. await goldenStates(fixturesDir)) to run the laws',
    );
  });
}

const sqljs = async () => new DataSource({ type: 'sqljs', entities: snapshotEntities, logging: false }).initialize();

export function snapshotsHarness(options: SnapshotsHarnessOptions = {}): PluginHarness<DataSource, AppSnapshotsState> {
  const { connect = sqljs, close, arbitrary, states, exclude, reversible, ...pluginOptions } = options;
  const commit = pluginOptions.commit ?? 'run';
  const plugin = snapshotsPlugin({ ...pluginOptions, commit });
  const stateOptions = {
    ...(pluginOptions.ledgerPrefix ? { ledgerPrefix: pluginOptions.ledgerPrefix } : {}),
    ...(exclude ? { exclude } : {}),
  };
  const own: readonly Migration<DataSource>[] = pluginOptions.migrations ?? [];
  return {
    plugin,
    async create(state) {
      const ds = await connect();
      await loadAppState(ds, state);
      return ds;
    },
    read: (ds) => readAppState(ds, stateOptions),
    async dispose(ds) {
      if (close) await close(ds);
      else if (ds.isInitialized) await ds.destroy();
    },
    fixture: { load: readAppFixture, write: writeAppFixture },
    arbitrary: arbitrary ?? statesArbitrary(states),
    reversible: reversible ?? own.every((m) => typeof m.down === 'function'),
    normalize: (state) => ({ ...normalizeState(state), ...(state.tables ? { tables: state.tables } : {}) }),
    atomicity: commit === 'run' ? 'run' : 'step',
  };
}
