// The plugin factory: a plain object (the test harness spreads and wraps it), built per option set.
import { definePlugin, type Migration, type Plugin } from '@tidemark/core';
import { snapshotGuard } from './guards/snapshot.js';
import { mongoLedger } from './ledger.js';
import { labletCollections, LABLET_COLLECTIONS_ID } from './migrations/001_lablet_collections.js';
import { workerExtensions, WORKER_EXTENSIONS_ID } from './migrations/002_cml_worker_extensions.js';
import { resolveNames, type CollectionNames } from './names.js';
import { LABLET_COLLECTIONS, WORKERS } from './schema.js';
import { rehearseOnCopy } from './rehearsal.js';
import { captureToDir } from './state.js';
import { dbOf, describeTarget, type MongoTarget } from './target.js';
import { traits } from './traits.js';

export interface MongoPluginOptions {
  /** Names of Tidemark's own collections in the target database. */
  collections?: Partial<CollectionNames>;
  /** Lock document key; one lock per key. Default "tidemark". */
  lockKey?: string;
  /** Run-level snapshot guard (restore on failure). Default true. */
  snapshot?: boolean;
  /** Committed snapshots kept after a successful run. Default 1. */
  keepSnapshots?: number;
}

export const MONGO_PLUGIN_NAME = 'plugin-mongo';

// Checksums hash the migrations' source: computed once per undo-collection name, not on every app boot.
const built = new Map<string, { migrations: Migration<MongoTarget>[]; checksums: Map<string, string> }>();
function migrationsFor(undo: string) {
  let entry = built.get(undo);
  if (!entry) {
    const migrations = [labletCollections(undo), workerExtensions(undo)];
    entry = { migrations, checksums: new Map(migrations.map((m) => [m.id, m.checksum])) };
    built.set(undo, entry);
  }
  return entry;
}

export function mongoPlugin(options: MongoPluginOptions = {}): Plugin<MongoTarget> {
  const names = resolveNames(options.collections);
  const { migrations, checksums } = migrationsFor(names.undo);
  const touched: Record<string, readonly string[]> = {
    [LABLET_COLLECTIONS_ID]: LABLET_COLLECTIONS,
    [WORKER_EXTENSIONS_ID]: [WORKERS],
  };
  const touches = (steps: readonly string[]) => {
    const set = new Set(steps.flatMap((id) => touched[id] ?? []));
    return set.size === 0 ? [] : [...set, names.undo];
  };
  return definePlugin<MongoTarget>({
    name: MONGO_PLUGIN_NAME,
    migrations,
    traits,
    guards: options.snapshot === false ? [] : [snapshotGuard({ collection: names.snapshots, touches, ...(options.keepSnapshots === undefined ? {} : { keep: options.keepSnapshots }) })],
    ledger: (target) => mongoLedger(dbOf(target), { names, checksums, ...(options.lockKey ? { lock: { key: options.lockKey } } : {}) }),
    describe: describeTarget,
    capture: (target, dir) => captureToDir(dbOf(target), dir, names),
    rehearse: (target) => rehearseOnCopy(dbOf(target), names),
  });
}
