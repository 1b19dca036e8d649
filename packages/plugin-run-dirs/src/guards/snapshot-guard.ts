// The two snapshot guards (zip archive, hard-link snapshot) share one life cycle:
//   1. preflight, on every up/down whatever the plan, under the run's lease: resolve what a crash left (finish a
//      half restore; restore a run that died mid-migration; drop a journal whose run had in fact finished);
//   2. take the snapshot, tell the runner (ctx.snapshotTaken) and write an "in flight" journal naming the run,
//      the ledger run, its steps and (zip) the archive's sha256;
//   3. run the steps; on success drop the journal; on any failure restore, call ctx.restored(), rethrow.
// Journals live in `.tidemark/snapshots/` (never archived, kept by restores), not in `archives/`, where zips
// are dropped and synced: a journal or a zip planted there is never restored from.
import { lstat, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  acquireLease,
  defineGuard,
  describeError,
  type Guard,
  type GuardContext,
  type LedgerEntry,
} from '@tidemark/core';
import { fileLock } from '../lock.js';
import { readLedgerEntries } from '../ledger.js';
import { LOCK_FILE, SNAPSHOTS_DIR } from '../target.js';
import { removeDurable, writeJsonDurable } from './fs-atomic.js';
import {
  finishInterruptedSnapshotRestore,
  pruneSnapshots,
  restoreHardlinkSnapshot,
  SNAPSHOT_RESTORE_JOURNAL,
  SNAPSHOT_ROOT,
  takeHardlinkSnapshot,
} from './hardlink-snapshot.js';
import { RunDirsGuardError } from './refusal.js';
import { runIdentity, shortLabel, type RunTargetLike } from './run-identity.js';
import {
  createRunArchive,
  finishInterruptedRestore,
  LEGACY_RESTORE_JOURNAL,
  removeStaleArchiveTemps,
  RESTORE_JOURNAL,
  restoreRunArchive,
} from './zip-archive.js';

/**
 * The in-flight journal: which snapshot undoes which run. It names the run (`runId`, the folder's id) and
 * the ledger run (`ledgerRun`, the runner's run id in the ledger) and the steps that run planned, so a
 * journal left by a crash AFTER the run had finished (every step in the ledger as applied by that ledger
 * run) is recognised as stale and dropped, never restored weeks later over newer files.
 */
export interface InflightJournal {
  format: 'tidemark.run-dirs.inflight/2';
  guard: string;
  ref: string;
  runId: string;
  ledgerRun: string;
  command: 'up' | 'down';
  steps: string[];
  /** Zip archives: the sha256 written; the zip must still have it to be restored. */
  sha256?: string;
  by: string;
  startedAt: string;
}

interface Store {
  guard: string;
  /** Channel and status prefix of the real system: ARCHIVE_COMPLETE / SNAPSHOT_COMPLETE. */
  noun: 'ARCHIVE' | 'SNAPSHOT';
  journal: string;
  /** Journal paths of older versions, in places others can write: never acted on, only reported. */
  legacy: readonly string[];
  take(target: RunTargetLike): Promise<{ ref: string; sha256?: string; detail: Record<string, unknown> }>;
  restore(target: RunTargetLike, ref: string, sha256?: string): Promise<Record<string, unknown>>;
  finishRestore(target: RunTargetLike): Promise<string | null>;
  /** Deletes a snapshot that a restore made redundant (the run equals it again). */
  discard?(target: RunTargetLike, ref: string): Promise<void>;
  afterSuccess?(target: RunTargetLike, ref: string, ctx: GuardContext<RunTargetLike>): Promise<void>;
}

/** Kept with Tidemark's own state (never archived, kept by restores), not in `archives/` where anyone drops zips. */
export const ARCHIVE_INFLIGHT = `${SNAPSHOTS_DIR}/archive-inflight.json`;
/** Where versions before 0.2 wrote it: a file found there is refused, never restored from. */
export const LEGACY_ARCHIVE_INFLIGHT = 'archives/.tidemark-inflight.json';
export const SNAPSHOT_INFLIGHT = `${SNAPSHOT_ROOT}/inflight.json`;

async function present(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function readJournal(target: RunTargetLike, path: string): Promise<InflightJournal | null> {
  let text: string;
  try {
    text = await readFile(join(target.dir, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const unverified = (why: string) =>
    new RunDirsGuardError(
      'JOURNAL_UNVERIFIED',
      `run "${shortLabel(target)}": the in-flight journal ${path} ${why}; nothing was restored from it. Check the run (restore by hand if it is half-migrated), then delete the journal`,
    );
  let journal: Partial<InflightJournal>;
  try {
    journal = JSON.parse(text) as Partial<InflightJournal>;
  } catch {
    throw unverified('is not valid JSON');
  }
  if (
    journal.format !== 'tidemark.run-dirs.inflight/2' ||
    typeof journal.ref !== 'string' ||
    typeof journal.ledgerRun !== 'string' ||
    !Array.isArray(journal.steps)
  ) {
    throw unverified('is not a journal this guard writes');
  }
  const runId = runIdentity(target).runId;
  if (journal.runId !== runId)
    throw unverified(`belongs to run "${String(journal.runId)}", not to this run "${runId}" (a copied run?)`);
  return journal as InflightJournal;
}

/**
 * True when the ledger shows the journal's run finished: an `up` whose every step it applied, a `down` whose every step
 * is gone.
 */
export function journalRunFinished(journal: InflightJournal, entries: readonly LedgerEntry[]): boolean {
  const ofRun = entries.filter((e) => e.runId === journal.ledgerRun);
  if (journal.command === 'down')
    return journal.steps.every((id) => !entries.some((e) => e.id === id && e.outcome !== 'failed'));
  if (ofRun.some((e) => e.outcome === 'failed')) return false;
  return journal.steps.every((id) => ofRun.some((e) => e.id === id && e.outcome === 'applied'));
}

export interface RecoveryReport {
  /** A restore that a crash interrupted, finished from this ref. */
  finishedRestore?: string;
  /** A migration that a crash interrupted, undone by restoring this ref. */
  undoneRun?: { ref: string; runId: string; by: string; startedAt: string };
  /** A journal left by a crash after its run had finished: dropped, nothing restored. */
  staleJournal?: { ref: string; ledgerRun: string; by: string; startedAt: string };
}

/** Resolves what a crash left; call only while holding the run's lease. */
async function recover(store: Store, target: RunTargetLike): Promise<RecoveryReport> {
  const report: RecoveryReport = {};
  for (const legacy of store.legacy) {
    if (await present(join(target.dir, legacy))) {
      throw new RunDirsGuardError(
        'JOURNAL_UNVERIFIED',
        `run "${shortLabel(target)}": ${legacy} is a journal in the old place, where anyone who can drop a zip can plant one; it was not acted on and nothing was restored. If the run is half-migrated restore it by hand (restoreRunArchive), then delete ${legacy}`,
      );
    }
  }
  const finished = await store.finishRestore(target);
  if (finished) report.finishedRestore = finished;
  const journal = await readJournal(target, store.journal);
  if (!journal) return report;
  if (journalRunFinished(journal, await readLedgerEntries(target))) {
    await removeDurable(join(target.dir, store.journal));
    report.staleJournal = {
      ref: journal.ref,
      ledgerRun: journal.ledgerRun,
      by: journal.by,
      startedAt: journal.startedAt,
    };
    return report;
  }
  try {
    await store.restore(target, journal.ref, journal.sha256);
  } catch (error) {
    // Say what state the run is in: the crash left it half-migrated, and this attempt could not undo that.
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `run "${shortLabel(target)}": a migration (ledger run ${journal.ledgerRun}, started ${journal.startedAt} by ${journal.by}) was interrupted and left the run half-migrated; restoring it from ${journal.ref} failed: ${describeError(error)}. The journal ${store.journal} is kept and every run retries the restore first; fix or replace the snapshot, or restore by hand and delete the journal`,
      { cause: error },
    );
  }
  await removeDurable(join(target.dir, store.journal));
  report.undoneRun = { ref: journal.ref, runId: journal.runId, by: journal.by, startedAt: journal.startedAt };
  return report;
}

function emitRecovery(ctx: GuardContext<RunTargetLike>, channel: string, r: RecoveryReport): void {
  if (r.finishedRestore)
    ctx.emit('restore-finished', {
      status: 'RESTORE_COMPLETE',
      channel,
      ref: r.finishedRestore,
      reason: 'interrupted restore finished',
    });
  if (r.staleJournal)
    ctx.emit('stale-journal-dropped', {
      channel,
      ref: r.staleJournal.ref,
      ledgerRun: r.staleJournal.ledgerRun,
      reason: "the journal's run had finished; nothing restored",
    });
  if (r.undoneRun)
    ctx.emit('interrupted-run-restored', {
      status: 'RESTORE_COMPLETE',
      channel,
      ref: r.undoneRun.ref,
      interruptedRunId: r.undoneRun.runId,
      by: r.undoneRun.by,
    });
}

/** Each guard's own restore journal (an interrupted restore is finished before anything else). */
const RESTORE_JOURNAL_OF: Record<string, string> = {
  'run-dirs:archive': RESTORE_JOURNAL,
  'run-dirs:hardlink-snapshot': SNAPSHOT_RESTORE_JOURNAL,
};

function makeGuard<T extends RunTargetLike>(store: Store): Guard<T> {
  const channel = (target: RunTargetLike) => `${runIdentity(target).runId}:archive`;
  // What a preflight resolved, emitted by the run that follows (a preflight cannot emit).
  const resolved = new Map<string, RecoveryReport>();
  return defineGuard<T>({
    name: store.guard,
    // Every up and down resolves a journal first, whatever the plan (even one with nothing to do): a journal
    // left lying would otherwise be acted on by some later run, over everything written since. Under the
    // run's lease, taken and released here only when there is something to resolve.
    async preflight(ctx) {
      const dir = ctx.target.dir;
      const pending = [store.journal, ...store.legacy, RESTORE_JOURNAL_OF[store.guard]!];
      if (!(await Promise.all(pending.map((p) => present(join(dir, p))))).some(Boolean)) return;
      const lease = await acquireLease(fileLock(join(dir, LOCK_FILE)), {
        target: shortLabel(ctx.target),
        signal: ctx.signal,
      });
      try {
        const r = await recover(store, ctx.target);
        if (r.finishedRestore || r.staleJournal || r.undoneRun) resolved.set(runIdentity(ctx.target).dir, r);
      } finally {
        await lease.release();
      }
    },
    async aroundRun(ctx, next) {
      const target = ctx.target;
      const key = runIdentity(target).dir;
      const early = resolved.get(key);
      resolved.delete(key);
      if (early) emitRecovery(ctx as unknown as GuardContext<RunTargetLike>, channel(target), early);
      // A journal that appeared between the preflight and the lease (a crash in between) is resolved here.
      const recovered = await recover(store, target);
      emitRecovery(ctx as unknown as GuardContext<RunTargetLike>, channel(target), recovered);
      if (recovered.undoneRun) {
        ctx.restored();
        throw new RunDirsGuardError(
          'INTERRUPTED_RUN_RESTORED',
          `run "${shortLabel(target)}": an earlier migration (${recovered.undoneRun.runId} by ${recovered.undoneRun.by}, started ${recovered.undoneRun.startedAt}) was interrupted; the run was restored from ${recovered.undoneRun.ref}. Plan and run again`,
        );
      }
      let taken: { ref: string; sha256?: string; detail: Record<string, unknown> };
      try {
        taken = await store.take(target);
      } catch (error) {
        ctx.emit(`${store.noun.toLowerCase()}-failed`, {
          status: `${store.noun}_FAILED`,
          channel: channel(target),
          error: describeError(error),
        });
        throw error;
      }
      ctx.emit(`${store.noun.toLowerCase()}-complete`, {
        status: `${store.noun}_COMPLETE`,
        channel: channel(target),
        ref: taken.ref,
        ...taken.detail,
      });
      ctx.snapshotTaken(taken.ref);
      const journal: InflightJournal = {
        format: 'tidemark.run-dirs.inflight/2',
        guard: store.guard,
        ref: taken.ref,
        runId: runIdentity(target).runId,
        ledgerRun: ctx.runId,
        command: ctx.command,
        steps: [...ctx.steps],
        ...(taken.sha256 ? { sha256: taken.sha256 } : {}),
        by: `${hostname()}:${process.pid}`,
        startedAt: new Date().toISOString(),
      };
      await writeJsonDurable(join(target.dir, store.journal), journal);
      try {
        await next();
      } catch (error) {
        try {
          const detail = await store.restore(target, taken.ref);
          await removeDurable(join(target.dir, store.journal));
          // The run equals the snapshot again: keeping it would only change archives/ of a run left "as it was".
          if (store.discard) await store.discard(target, taken.ref);
          ctx.emit('restore-complete', {
            status: 'RESTORE_COMPLETE',
            channel: channel(target),
            ref: taken.ref,
            discarded: Boolean(store.discard),
            ...detail,
          });
          ctx.restored();
        } catch (restoreError) {
          // The journal stays: the next run under the lease retries the restore before anything else.
          ctx.emit('restore-failed', {
            status: 'RESTORE_FAILED',
            channel: channel(target),
            ref: taken.ref,
            error: describeError(restoreError),
          });
          throw new RunDirsGuardError(
            'RESTORE_FAILED',
            `run "${shortLabel(target)}": the migration failed (${describeError(error)}) AND the restore from ${taken.ref} failed (${describeError(restoreError)}); the run is half-migrated, the next run will retry the restore first`,
            { cause: error },
          );
        }
        throw error;
      }
      await removeDurable(join(target.dir, store.journal));
      await store.afterSuccess?.(target, taken.ref, ctx as unknown as GuardContext<RunTargetLike>);
    },
    async restore(ctx, ref) {
      const detail = await store.restore(ctx.target, ref);
      ctx.emit('restore-complete', { status: 'RESTORE_COMPLETE', channel: channel(ctx.target), ref, ...detail });
    },
  });
}

export interface ArchiveGuardOptions {
  /** Extra run paths neither archived nor touched by a restore (e.g. a live lock file). */
  preserve?: readonly string[];
  /** Deflate level (the real tool: 6). */
  level?: number;
  /** Also write `<runid>.post_migration.<ts>.zip` after a successful run (the seed's "after" corpus). */
  archiveAfter?: boolean;
  /** Keep the pre-migration archive of a failed run after restoring from it (default: deleted, it equals the run). */
  keepOnFailure?: boolean;
}

/** The real system's rollback: a pre-migration zip in `archives/`, restored on any failure. */
export function archiveGuard<T extends RunTargetLike>(options: ArchiveGuardOptions = {}): Guard<T> {
  const preserve = options.preserve ?? [];
  return makeGuard<T>({
    guard: 'run-dirs:archive',
    noun: 'ARCHIVE',
    journal: ARCHIVE_INFLIGHT,
    legacy: [LEGACY_ARCHIVE_INFLIGHT, LEGACY_RESTORE_JOURNAL],
    async take(target) {
      await removeStaleArchiveTemps(target.dir);
      const r = await createRunArchive(target.dir, runIdentity(target).runId, {
        kind: 'pre_migration',
        preserve,
        ...(options.level === undefined ? {} : { level: options.level }),
      });
      return {
        ref: r.ref,
        sha256: r.sha256,
        detail: {
          archive: r.ref,
          entries: r.entries,
          sourceBytes: r.sourceBytes,
          zipBytes: r.zipBytes,
          sha256: r.sha256,
          ms: r.ms,
        },
      };
    },
    async restore(target, ref, sha256) {
      const r = await restoreRunArchive(target.dir, ref, { preserve, ...(sha256 ? { sha256 } : {}) });
      return {
        archive: r.ref,
        entries: r.entries,
        ms: r.ms,
        ...(r.skipped.length ? { skipped: r.skipped.length } : {}),
      };
    },
    finishRestore: (target) => finishInterruptedRestore(target.dir, { preserve }),
    ...(options.keepOnFailure
      ? {}
      : { discard: async (target: RunTargetLike, ref: string) => rm(join(target.dir, ref), { force: true }) }),
    async afterSuccess(target, _ref, ctx) {
      if (!options.archiveAfter) return;
      try {
        const r = await createRunArchive(target.dir, runIdentity(target).runId, { kind: 'post_migration', preserve });
        ctx.emit('archive-complete', {
          status: 'ARCHIVE_COMPLETE',
          channel: `${runIdentity(target).runId}:archive`,
          ref: r.ref,
          archive: r.ref,
          phase: 'after',
          entries: r.entries,
          zipBytes: r.zipBytes,
          ms: r.ms,
        });
      } catch (error) {
        // The migration succeeded; a missing "after" archive is reported, not turned into a failure.
        ctx.emit('archive-failed', { status: 'ARCHIVE_FAILED', phase: 'after', error: describeError(error) });
      }
    },
  });
}

export interface HardlinkGuardOptions {
  preserve?: readonly string[];
  /** Snapshots kept after a successful run (older ones are deleted; `down` can restore only kept ones). Default 5. */
  keep?: number;
}

/** Fast snapshot: hard links + a manifest, sound because migrations never write in place. */
export function hardlinkSnapshotGuard<T extends RunTargetLike>(options: HardlinkGuardOptions = {}): Guard<T> {
  const preserve = options.preserve ?? [];
  return makeGuard<T>({
    guard: 'run-dirs:hardlink-snapshot',
    noun: 'SNAPSHOT',
    journal: SNAPSHOT_INFLIGHT,
    legacy: [],
    async take(target) {
      const r = await takeHardlinkSnapshot(target.dir, { preserve });
      return { ref: r.ref, detail: { snapshot: r.ref, entries: r.entries, bytes: r.bytes, ms: r.ms } };
    },
    async restore(target, ref) {
      const r = await restoreHardlinkSnapshot(target.dir, ref, { preserve });
      return { snapshot: r.ref, entries: r.entries, ms: r.ms };
    },
    finishRestore: (target) => finishInterruptedSnapshotRestore(target.dir, { preserve }),
    discard: async (target, ref) => rm(join(target.dir, ref), { recursive: true, force: true }),
    async afterSuccess(target, ref) {
      await pruneSnapshots(target.dir, options.keep ?? 5, [ref]);
    },
  });
}

/**
 * Finishes what a crash left (a half restore, an interrupted migration) for both snapshot kinds. Call it
 * only while holding the run's lease (the guards do); `migrateRun` relies on the guards.
 */
export async function recoverInterruptedRun(
  target: RunTargetLike,
  options: { preserve?: readonly string[] } = {},
): Promise<RecoveryReport[]> {
  const zip = await recover(
    {
      guard: 'run-dirs:archive',
      noun: 'ARCHIVE',
      journal: ARCHIVE_INFLIGHT,
      legacy: [LEGACY_ARCHIVE_INFLIGHT, LEGACY_RESTORE_JOURNAL],
      take: () => Promise.reject(new Error('unused')),
      restore: async (t, ref, sha256) => ({
        ...(await restoreRunArchive(t.dir, ref, { ...options, ...(sha256 ? { sha256 } : {}) })),
      }),
      finishRestore: (t) => finishInterruptedRestore(t.dir, options),
    },
    target,
  );
  const links = await recover(
    {
      guard: 'run-dirs:hardlink-snapshot',
      noun: 'SNAPSHOT',
      journal: SNAPSHOT_INFLIGHT,
      legacy: [],
      take: () => Promise.reject(new Error('unused')),
      restore: async (t, ref) => ({ ...(await restoreHardlinkSnapshot(t.dir, ref, options)) }),
      finishRestore: (t) => finishInterruptedSnapshotRestore(t.dir, options),
    },
    target,
  );
  return [zip, links];
}
