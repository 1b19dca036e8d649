// Options shared by the plugin, its migrations and guards.
import { createError } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import type { Migration } from '@tidemark/core';
import type { BackupOptions } from './backup.js';

export interface SnapshotsPluginOptions {
  /**
   * Your own migrations, run after the shipped ones (their `requires` may name shipped ids); traits and guards stay the
   * plugin's.
   */
  migrations?: readonly Migration<DataSource>[];
  /**
   * Production runs per batch (one transaction each, cursor saved with it). Default 50,000 (measured at 100,000 runs:
   * 10,000 costs ~25% more, as each batch re-aggregates the recipe JSON).
   */
  batchSize?: number;
  /**
   * Batches in flight at once, each in its own transaction on its own pooled connection (PostgreSQL with
   * `commit: 'batch'`; SQLite and `commit: 'run'` always run one). Default 2 (measured at 100,000 runs on
   * 2 cores: 1.03 s instead of 1.37 s for the batches).
   */
  concurrency?: number;
  /** Pause between batches, in ms, to spare a busy database (per concurrent lane). Default 0. */
  throttleMs?: number;
  /**
   * 'batch' (default): each batch commits with its cursor, so a crash resumes where it stopped.
   * 'run': the whole `up`/`down` run is one transaction: a failure leaves the database as it was.
   */
  commit?: 'batch' | 'run';
  /** "Now" for runs without `produced_at`. Default: the wall clock. */
  clock?: () => Date;
  /** Prefix of the ledger, checkpoint and lock tables. Default "tidemark". */
  ledgerPrefix?: string;
  /**
   * A batch the database refuses is split in halves until the runs that fail are found; those are
   * recorded (run id, reason) and skipped, every other run commits, and the step then fails naming them.
   * Past this many failed runs the backfill stops instead. 0: a failing batch fails the step at once
   * (committed batches stay). Default 100. Only with `commit: 'batch'`.
   */
  maxFailedRuns?: number;
  /**
   * Back up the tables the run touches before its first write (guard `backup`): a pg_dump file, or a copy
   * of the tables in a named schema. `true` for the defaults. Default: off (the `tidemark-snapshots`
   * command turns it on unless `--no-backup`).
   */
  backup?: boolean | BackupOptions;
}

export interface ResolvedOptions {
  batchSize: number;
  concurrency: number;
  throttleMs: number;
  commit: 'batch' | 'run';
  clock: () => Date;
  ledgerPrefix: string;
  maxFailedRuns: number;
  backup: BackupOptions | null;
}

export function resolveOptions(options: SnapshotsPluginOptions = {}): ResolvedOptions {
  const batchSize = options.batchSize ?? 50_000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw createError('plugin-snapshots', `batchSize must be a positive integer, got ${batchSize}`);
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw createError('plugin-snapshots', `concurrency must be a positive integer, got ${concurrency}`);
  const maxFailedRuns = options.maxFailedRuns ?? 100;
  if (!Number.isInteger(maxFailedRuns) || maxFailedRuns < 0)
    throw createError('plugin-snapshots', `maxFailedRuns must be a non-negative integer, got ${maxFailedRuns}`);
  return {
    batchSize,
    maxFailedRuns,
    backup: options.backup === true ? {} : options.backup || null,
    concurrency,
    throttleMs: options.throttleMs ?? 0,
    commit: options.commit ?? 'batch',
    clock: options.clock ?? (() => new Date()),
    ledgerPrefix: options.ledgerPrefix ?? 'tidemark',
  };
}
