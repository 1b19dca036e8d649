// Plugin options, with the defaults documented in the README.
import type { Migration } from '@tidemark/core';
import type { MappedColumn } from './header-map.js';
import type { PrecheckOptions } from './prechecks.js';
import type { TelemetryTarget } from './target.js';

export interface TelemetryPluginOptions {
  /**
   * Your own migrations, run after the shipped ones (their `requires` may name shipped ids); traits and guards stay the
   * plugin's.
   */
  migrations?: readonly Migration<TelemetryTarget>[];
  /** Zone for CSV timestamps written without an offset (the logger writes local naive time). Default 'UTC'. */
  timezone?: string;
  /** Extra header spellings per column (compared after normalization). */
  aliases?: Partial<Record<MappedColumn, readonly string[]>>;
  /** Pre-check thresholds. `false` turns the pre-check guard off (not recommended). */
  prechecks?: PrecheckOptions | false;
  /** Make the timestamped tarball before ingestion. Default true. */
  backup?: boolean;
  /** Ledger table (the lock key derives from it). Default 'tidemark_ledger'. */
  ledgerTable?: string;
  /**
   * 'step' (default): each step, the whole ingest included, is one transaction; a failure anywhere undoes
   * the step. 'file': each CSV commits on its own, so a crash keeps the complete files and the rerun resumes
   * (for histories that take hours); a failed ingest step then leaves the files it finished.
   */
  commit?: 'step' | 'file';
  /**
   * A file not written for this long counts as closed: a last line without a line end is then rejected as
   * truncated (before that it is held back, as the logger may still finish it). A file is closed as well
   * once a newer file exists in its folder. Default 5 minutes.
   */
  closedAfterMs?: number;
  /**
   * commit: 'step' on PostgreSQL: when run_samples is empty and the pending files hold at least this many
   * bytes, its keys and indexes are dropped before the COPY and built after it (same constraints in the end,
   * all in the step's transaction). Default 32 MiB.
   */
  firstLoadBytes?: number;
  /** PGlite only: bytes per COPY blob. Default 8 MiB. */
  blobBytes?: number;
}

export const PLUGIN_NAME = 'plugin-telemetry';
