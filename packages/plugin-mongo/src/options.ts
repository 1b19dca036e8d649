// Plugin options, with the defaults documented in the README.
import type { CollectionNames } from './names.js';

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
