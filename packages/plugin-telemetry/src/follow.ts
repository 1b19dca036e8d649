// The language-agnostic dual-write: the app (Python DataLogger) keeps writing its CSVs, untouched and
// authoritative; follow() watches logs/ and mirrors each new complete line into PostgreSQL. It is the ingest
// step's own machinery run continuously: offsets and prefix hashes live in ingested_files, moved in the same
// transaction as the rows, so a follower killed at any point and started again neither loses nor doubles a
// line, and `up` and follow can run at the same time (rows are locked per file, a locked one is skipped for a
// round). Watching is fs.watch (recursive) with a polling fallback; the feature flag pauses the mirror (the
// lines written meanwhile are caught up from the offsets when it is on again).
import { describeError, TidemarkError } from '@tidemark/core';
import { dirname } from 'node:path';
import type { Knex } from 'knex';
import { inTransaction, withConnection } from './connection.js';
import { tableExists } from './db-state.js';
import { fileState, isPending, planFiles, type FilePlan } from './file-plan.js';
import { ingestBatch, type BatchFile } from './ingest-batch.js';
import type { FileIngestResult } from './ingest-file.js';
import { applyPlans } from './ingest-run.js';
import type { MappedColumn } from './header-map.js';
import { FileHandles } from './file-handles.js';
import { watchFolder, type FolderWatch } from './folder-watch.js';
import { UndecodableError } from './line-reader.js';
import { PLUGIN_NAME } from './options.js';
import { pathProblems } from './paths-guard.js';
import { TABLES } from './schema.js';
import { envFlag } from './telemetry-writer.js';

export interface FollowOptions {
  knex: Knex;
  logsDir: string;
  timezone?: string;
  aliases?: Partial<Record<MappedColumn, readonly string[]>>;
  /** See TelemetryPluginOptions.closedAfterMs. Default 5 minutes. */
  closedAfterMs?: number;
  /** The feature flag, read before every round. Default: env TIDEMARK_TELEMETRY_DB_WRITES is on. */
  enabled?: () => boolean;
  /** Polling period (the fallback, and a safety net under fs.watch). Default 250 ms. */
  pollMs?: number;
  /** Use fs.watch as well as polling. Default true. */
  watch?: boolean;
  onEvent?: (event: FollowEvent) => void;
  /** PGlite COPY blob size. */
  blobBytes?: number;
  /** Test hook: inside a round's transaction, after the rows and offsets were written, before COMMIT. */
  beforeCommit?: (file: string) => Promise<void> | void;
}

export type FollowEvent =
  | { type: 'ingested'; file: string; inserted: number; rejected: number; offset: number; held: number; grown: boolean }
  | { type: 'conflict'; file: string; reason: string }
  | { type: 'copy'; file: string; of: string }
  | { type: 'failed'; file: string; message: string }
  | { type: 'paused' | 'resumed' | 'watch-fallback'; message: string }
  | { type: 'error'; message: string };

export interface FollowStats {
  rounds: number;
  inserted: number;
  rejected: number;
  conflicts: number;
  errors: number;
  paused: boolean;
  watching: boolean;
  lastRoundAt: string | null;
  /** Wall-clock milliseconds spent in rounds (planning and ingesting), summed. */
  busyMs: number;
}

export interface Follower {
  stats(): FollowStats;
  /** Resolves after a full round that started after this call (what is on disk now is in the database). */
  settled(): Promise<void>;
  /** Stops watching; waits for the round in progress. */
  stop(): Promise<FollowStats>;
}

export async function follow(options: FollowOptions): Promise<Follower> {
  const { knex, logsDir } = options;
  const problems = (await pathProblems({ knex, logsDir, configPath: logsDir, backupDir: logsDir })).filter((p) =>
    p.startsWith('logsDir'),
  );
  if (problems.length > 0)
    throw new TidemarkError('STEP_FAILED', `follow: ${problems.join('; ')}`, { plugin: PLUGIN_NAME });
  if (!(await tableExists(knex, TABLES.ingestedFiles))) {
    throw new TidemarkError(
      'STEP_FAILED',
      `follow: the telemetry schema is not in this database; run \`tidemark up\` first`,
      { plugin: PLUGIN_NAME },
    );
  }
  const enabled = options.enabled ?? envFlag();
  const pollMs = options.pollMs ?? 250;
  const emit = (event: FollowEvent) => options.onEvent?.(event);
  const stats: FollowStats = {
    rounds: 0,
    inserted: 0,
    rejected: 0,
    conflicts: 0,
    errors: 0,
    paused: false,
    watching: false,
    lastRoundAt: null,
    busyMs: 0,
  };
  // A file that failed to decode is tried again only once it changed.
  const failedAt = new Map<string, number>();
  const handles = new FileHandles();
  let stopped = false;
  let wake: (() => void) | null = null;
  // A change seen while a round runs may be after its listing: the next round starts at once, not at the
  // next write (a logger writing once a second would otherwise wait that second, or the poll).
  let changed = false;
  let waiters: { after: number; resolve: () => void }[] = [];
  let started = 0;
  let finished = 0;

  let watcher: FolderWatch | null = null;
  if (options.watch !== false) {
    try {
      watcher = watchFolder(
        logsDir,
        () => {
          changed = true;
          wake?.();
        },
        (error) => {
          stats.watching = false;
          watcher = null;
          emit({
            type: 'watch-fallback',
            message: `fs.watch failed (${describeError(error)}); polling every ${pollMs} ms`,
          });
        },
      );
      stats.watching = true;
    } catch (error) {
      emit({
        type: 'watch-fallback',
        message: `fs.watch unavailable (${describeError(error)}); polling every ${pollMs} ms`,
      });
    }
  }

  const report = (r: FileIngestResult) => {
    if (r.status === 'already-ingested') return;
    stats.inserted += r.inserted;
    stats.rejected += r.rejected;
    if (r.dataLines > 0 || r.status === 'ingested')
      emit({
        type: 'ingested',
        file: r.file,
        inserted: r.inserted,
        rejected: r.rejected,
        offset: r.offset,
        held: r.held,
        grown: r.status === 'grown',
      });
  };
  const common = {
    logsDir,
    timezone: options.timezone ?? 'UTC',
    aliases: options.aliases,
    blobBytes: options.blobBytes,
    beforeCommit: options.beforeCommit,
    skipLocked: true,
    asyncCommit: true,
    onFile: report,
    onConflict: (file: string, reason: string) => {
      stats.conflicts += 1;
      emit({ type: 'conflict', file, reason });
    },
    onCopy: (file: string, of: string) => emit({ type: 'copy', file, of }),
  };

  async function round(): Promise<void> {
    const { rows, live } = await fileState(knex);
    const listed = await planFiles(logsDir, rows, {
      live,
      handles,
      ...(options.closedAfterMs === undefined ? {} : { closedAfterMs: options.closedAfterMs }),
    });
    watcher?.add(new Set(listed.map((p) => (p.file.includes('/') ? dirname(p.file) : ''))));
    const plans = listed.filter((p) => isPending(p) && !stillFailed(p));
    if (plans.length === 0) return;
    const work = plans.filter((p): p is BatchFile => p.kind === 'new' || p.kind === 'grow');
    const other = plans.filter((p) => p.kind !== 'new' && p.kind !== 'grow');
    await withConnection(knex, async (conn) => {
      if (other.length > 0) await applyPlans(conn, other, common);
      if (work.length === 0) return;
      // All files of a round in one transaction and one COPY (50 files appended at once cost one commit);
      // an undecodable file makes the round go again file by file, so it fails alone.
      try {
        await inTransaction(conn, () => ingestBatch(conn, work, common));
      } catch (error) {
        if (!(error instanceof UndecodableError)) throw error;
        const outcome = await applyPlans(conn, work, common);
        for (const f of outcome.failed) {
          failedAt.set(f.file, sizeOf(plans, f.file));
          emit({ type: 'failed', file: f.file, message: f.error.message });
        }
      }
    });
  }

  function stillFailed(plan: FilePlan): boolean {
    const size = failedAt.get(plan.file);
    if (size === undefined) return false;
    if (size === sizeOf([plan], plan.file)) return true;
    failedAt.delete(plan.file);
    return false;
  }

  const loop = (async () => {
    while (!stopped) {
      const round0 = ++started;
      changed = false;
      if (!enabled()) {
        if (!stats.paused)
          emit({
            type: 'paused',
            message: 'feature flag off: not mirroring (lines written meanwhile are caught up when it is on)',
          });
        stats.paused = true;
      } else {
        if (stats.paused) emit({ type: 'resumed', message: 'feature flag on: mirroring' });
        stats.paused = false;
        const t0 = performance.now();
        try {
          await round();
        } catch (error) {
          stats.errors += 1;
          emit({ type: 'error', message: describeError(error) });
        }
        stats.busyMs += performance.now() - t0;
      }
      stats.rounds += 1;
      stats.lastRoundAt = new Date().toISOString();
      finished = round0;
      const due = waiters.filter((w) => w.after < finished);
      waiters = waiters.filter((w) => w.after >= finished);
      for (const w of due) w.resolve();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          // Lets a burst of writes land before the round (the logger writes several files at once).
          setTimeout(resolve, 5);
        }
        wake = done;
        if (changed) done();
      });
    }
  })();

  return {
    stats: () => ({ ...stats }),
    settled() {
      const after = started;
      wake?.();
      return new Promise<void>((resolve) => waiters.push({ after, resolve }));
    },
    async stop() {
      stopped = true;
      wake?.();
      watcher?.close();
      await loop;
      await handles.closeAll();
      for (const w of waiters) w.resolve();
      waiters = [];
      return { ...stats };
    },
  };
}

function sizeOf(plans: readonly FilePlan[], file: string): number {
  const p = plans.find((x) => x.file === file);
  return p && (p.kind === 'new' || p.kind === 'grow' || p.kind === 'copy') ? p.size : -1;
}
