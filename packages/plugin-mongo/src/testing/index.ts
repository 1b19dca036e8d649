// `@tidemark/plugin-mongo/testing`: @tidemark/testing harnesses for an app's own migrations, on mongoPlugin
// (`mongoHarness`, the shipped migrations first) or mongoAppPlugin (`mongoAppHarness`). Each target is a fresh
// random database on the app's MongoClient, dropped afterwards. The state is every collection of the database
// (documents in exact EJSON, indexes, options) except the plugin's bookkeeping, so an app's field or
// collection shows in golden `after/`.
import { createError } from '@tidemark/core';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { listCases, type PluginHarness } from '@tidemark/testing';
import fc, { type Arbitrary } from 'fast-check';
import type { Db, MongoClient } from 'mongodb';
import { APP_DEFAULT_NAMES, mongoAppPlugin, type MongoAppPluginOptions } from '../app-plugin.js';
import { DEFAULT_NAMES, type CollectionNames } from '../names.js';
import type { MongoPluginOptions } from '../options.js';
import { mongoPlugin } from '../plugin.js';
import { loadFixture, readState, writeFixture, writeStateToDb, type MongoState } from '../state.js';
import { dbOf, type MongoTarget } from '../target.js';

export type { MongoState, CollectionState, IndexState } from '../state.js';

export interface HarnessTargetOptions {
  /** The app's connected MongoClient (for mongoose: `mongoose.connection.getClient()`). */
  client: MongoClient;
  /** Prefix of the random database names. Default "tm_test". */
  dbPrefix?: string;
  /** Legacy states the laws run over; default `states`. */
  arbitrary?: Arbitrary<MongoState>;
  /** States for the laws when no `arbitrary` is given: e.g. `await goldenStates(fixturesDir)`. */
  states?: readonly MongoState[];
  /** Every migration has a working `down` (or the snapshot covers it); default: true when each has a `down`. */
  reversible?: boolean;
}

/** The `before/` states of every golden case under `dir` (for `states`). */
export async function goldenStates(dir: string): Promise<MongoState[]> {
  // A case that expects a refusal is no legacy target the laws can migrate.
  return Promise.all(
    listCases(dir)
      .filter((c) => c.spec.expectError === undefined)
      .map((c) => loadFixture(join(c.path, 'before'))),
  );
}

function statesArbitrary(states: readonly MongoState[] | undefined): Arbitrary<MongoState> {
  if (states && states.length > 0) return fc.constantFrom(...states);
  return fc.constant(null).map(() => {
    throw createError(
      'plugin-mongo',
      'harness: give `arbitrary` or `states` (e.g. await goldenStates(fixturesDir)) to run the laws',
    );
  });
}

function harness(
  plugin: ReturnType<typeof mongoPlugin>,
  names: CollectionNames,
  options: HarnessTargetOptions,
): PluginHarness<MongoTarget, MongoState> {
  const { client } = options;
  return {
    plugin,
    async create(state) {
      const db: Db = client.db(`${options.dbPrefix ?? 'tm_test'}_${randomBytes(6).toString('hex')}`);
      await writeStateToDb(db, state);
      return db;
    },
    read: (t) => readState(dbOf(t), { names }),
    async dispose(t) {
      await dbOf(t).dropDatabase();
    },
    fixture: { load: loadFixture, write: writeFixture },
    arbitrary: options.arbitrary ?? statesArbitrary(options.states),
    reversible: options.reversible ?? plugin.migrations.every((m) => typeof m.down === 'function'),
    // Another handle on the same database (the same client) for the concurrency law.
    attach: async (t) => client.db(dbOf(t).databaseName),
  };
}

export type MongoHarnessOptions = MongoPluginOptions & HarnessTargetOptions;

/** mongoPlugin (its two shipped migrations, then yours) on fresh databases of `client`. */
export function mongoHarness(options: MongoHarnessOptions): PluginHarness<MongoTarget, MongoState> {
  const { client, dbPrefix, arbitrary, states, reversible, ...pluginOptions } = options;
  const names = { ...DEFAULT_NAMES, ...pluginOptions.collections };
  return harness(mongoPlugin(pluginOptions), names, {
    client,
    ...(dbPrefix ? { dbPrefix } : {}),
    ...(arbitrary ? { arbitrary } : {}),
    ...(states ? { states } : {}),
    ...(reversible === undefined ? {} : { reversible }),
  });
}

export type MongoAppHarnessOptions = MongoAppPluginOptions & HarnessTargetOptions;

/** mongoAppPlugin (your migrations only) on fresh databases of `client`. */
export function mongoAppHarness(options: MongoAppHarnessOptions): PluginHarness<MongoTarget, MongoState> {
  const { client, dbPrefix, arbitrary, states, reversible, ...pluginOptions } = options;
  const names = { ...APP_DEFAULT_NAMES, ...pluginOptions.collections };
  return harness(mongoAppPlugin(pluginOptions), names, {
    client,
    ...(dbPrefix ? { dbPrefix } : {}),
    ...(arbitrary ? { arbitrary } : {}),
    ...(states ? { states } : {}),
    ...(reversible === undefined ? {} : { reversible }),
  });
}
