// `mongoAppPlugin`: your own MongoDB migrations on plugin-mongo's ledger, lease lock, checkpoints and run
// snapshot, with no shipped migrations. Its bookkeeping collections start with `_tidemark_app`, so it shares a
// database with `mongoPlugin` (whose ledger is the seed's `migrations`) without either seeing the other's.
import { definePlugin, type Migration, type Plugin } from '@tidemark/core';
import { snapshotGuard } from './guards/index.js';
import { mongoLedger } from './ledger.js';
import type { CollectionNames } from './names.js';
import { rehearseOnCopy } from './rehearsal.js';
import { scaffoldMongoMigration } from './scaffold.js';
import { captureToDir } from './state.js';
import { dbOf, describeTarget, type MongoTarget } from './target.js';

export const MONGO_APP_PLUGIN_NAME = 'mongo-app';

export const APP_DEFAULT_NAMES: CollectionNames = {
  ledger: '_tidemark_app_migrations',
  lock: '_tidemark_app_migrations_lock',
  checkpoints: '_tidemark_app_checkpoints',
  snapshots: '_tidemark_app_snapshots',
  undo: '_tidemark_app_undo',
};

export interface MongoAppPluginOptions {
  /** Your migrations, in order. */
  migrations: readonly Migration<MongoTarget>[];
  /** Names of the bookkeeping collections (default `_tidemark_app_*`). */
  collections?: Partial<CollectionNames>;
  /** Lock document key; one lock per key. Default "tidemark". */
  lockKey?: string;
  /**
   * The collections each migration changes (by migration id): a run snapshots them first and puts them back
   * if a step fails. A migration not listed here is undone only by its own `down`.
   */
  touches?: Readonly<Record<string, readonly string[]>>;
  /** Committed snapshots kept after a successful run. Default 1. */
  keepSnapshots?: number;
  /** Plugin name, also the golden corpus folder (`fixtures/<name>/`). Default "mongo-app". */
  name?: string;
}

export function mongoAppPlugin(options: MongoAppPluginOptions): Plugin<MongoTarget> {
  const names: CollectionNames = { ...APP_DEFAULT_NAMES, ...options.collections };
  const checksums = new Map(options.migrations.map((m) => [m.id, m.checksum]));
  const touched = options.touches ?? {};
  const touches = (steps: readonly string[]) => [...new Set(steps.flatMap((id) => touched[id] ?? []))];
  return definePlugin<MongoTarget>({
    name: options.name ?? MONGO_APP_PLUGIN_NAME,
    migrations: [...options.migrations],
    traits: [],
    guards: [
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
    scaffold: (input) => scaffoldMongoMigration(input, 'mongoAppHarness'),
  });
}
