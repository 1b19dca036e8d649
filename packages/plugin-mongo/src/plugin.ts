// The plugin factory: a plain object (the test harness spreads and wraps it), built per option set.
import { definePlugin, type Plugin } from '@tidemark/core';
import { snapshotGuard } from './guards/index.js';
import { mongoLedger } from './ledger.js';
import { LABLET_COLLECTIONS_ID } from './migrations/001_lablet_collections.js';
import { WORKER_EXTENSIONS_ID } from './migrations/002_cml_worker_extensions.js';
import { migrationsFor } from './migrations/index.js';
import { resolveNames } from './names.js';
import { MONGO_PLUGIN_NAME, type MongoPluginOptions } from './options.js';
import { LABLET_COLLECTIONS, WORKERS } from './schema.js';
import { rehearseOnCopy } from './rehearsal.js';
import { scaffoldMongoMigration } from './scaffold.js';
import { captureToDir } from './state.js';
import { dbOf, describeTarget, type MongoTarget } from './target.js';
import { traits } from './traits/index.js';

export { MONGO_PLUGIN_NAME, type MongoPluginOptions } from './options.js';

export function mongoPlugin(options: MongoPluginOptions = {}): Plugin<MongoTarget> {
  const names = resolveNames(options.collections);
  const { migrations, checksums } = migrationsFor(names.undo);
  const touched: Record<string, readonly string[]> = {
    [LABLET_COLLECTIONS_ID]: LABLET_COLLECTIONS,
    [WORKER_EXTENSIONS_ID]: [WORKERS],
    ...options.touches,
  };
  const touches = (steps: readonly string[]) => {
    const set = new Set(steps.flatMap((id) => touched[id] ?? []));
    return set.size === 0 ? [] : [...set, names.undo];
  };
  return definePlugin<MongoTarget>({
    name: MONGO_PLUGIN_NAME,
    migrations: [...migrations, ...(options.migrations ?? [])],
    traits,
    guards:
      options.snapshot === false
        ? []
        : [
            snapshotGuard({
              collection: names.snapshots,
              touches,
              ...(options.keepSnapshots === undefined ? {} : { keep: options.keepSnapshots }),
            }),
          ],
    ledger: (target) =>
      mongoLedger(dbOf(target), { names, checksums, ...(options.lockKey ? { lock: { key: options.lockKey } } : {}) }),
    describe: describeTarget,
    capture: (target, dir) => captureToDir(dbOf(target), dir, names),
    rehearse: (target) => rehearseOnCopy(dbOf(target), names),
    scaffold: (input) => scaffoldMongoMigration(input),
  });
}
