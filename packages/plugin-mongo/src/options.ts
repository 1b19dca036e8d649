// Plugin options, with the defaults documented in the README.
import type { Migration } from '@tidemark/core';
import type { CollectionNames } from './names.js';
import type { MongoTarget } from './target.js';

export interface MongoPluginOptions {
  /**
   * Your own migrations, run after the shipped ones (their `requires` may name shipped ids); traits and guards stay the
   * plugin's.
   */
  migrations?: readonly Migration<MongoTarget>[];
  /**
   * The collections each of your migrations changes (by migration id), so the run snapshot covers them and a
   * failed run puts them back. A migration not listed here is undone only by its own `down`.
   */
  touches?: Readonly<Record<string, readonly string[]>>;
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
