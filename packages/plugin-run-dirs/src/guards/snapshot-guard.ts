// The two snapshot guards (zip archive, hard-link snapshot) share one life cycle:
//   1. finish anything a crash left behind (a half restore, or a run that died mid-migration);
//   2. take the snapshot, tell the runner (ctx.snapshotTaken) and write an "in flight" journal;
//   3. run the steps; on success drop the journal; on any failure restore, call ctx.restored(), rethrow.
// The journal is what makes `kill -9` safe: the next run under the lease finds it, restores the run from
// the snapshot it names, and stops so the caller plans again on a run that is whole (never half-migrated).
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { defineGuard, describeError, type Guard, type GuardContext } from '@tidemark/core';
import { removeDurable, writeJsonDurable } from './fs-atomic.js';
import { finishInterruptedSnapshotRestore, pruneSnapshots, restoreHardlinkSnapshot, SNAPSHOT_ROOT, takeHardlinkSnapshot } from './hardlink-snapshot.js';
import { RunDirsGuardError } from './refusal.js';
import { runIdentity, shortLabel, type RunTargetLike } from './run-identity.js';
import { createRunArchive, finishInterruptedRestore, removeStaleArchiveTemps, restoreRunArchive } from './zip-archive.js';

interface InflightJournal {
  guard: string;
  ref: string;
  runId: string;
  by: string;
  startedAt: string;
}

interface Store {
  guard: string;
  /** Channel and status prefix of the real system: ARCHIVE_COMPLETE / SNAPSHOT_COMPLETE. */
  noun: 'ARCHIVE' | 'SNAPSHOT';
  journal: string;
  take(target: RunTargetLike): Promise<{ ref: string; detail: Record<string, unknown> }>;
  restore(target: RunTargetLike, ref: string): Promise<Record<string, unknown>>;
  finishRestore(target: RunTargetLike): Promise<string | null>;
  /** Deletes a snapshot that a restore made redundant (the run equals it again). */
  discard?(target: RunTargetLike, ref: string): Promise<void>;
  afterSuccess?(target: RunTargetLike, ref: string, ctx: GuardContext<RunTargetLike>): Promise<void>;
}

export const ARCHIVE_INFLIGHT = 'archives/.tidemark-inflight.json';
export const SNAPSHOT_INFLIGHT = `${SNAPSHOT_ROOT}/inflight.json`;

async function readJournal(dir: string, path: string): Promise<InflightJournal | null> {
  try {
    return JSON.parse(await readFile(join(dir, path), 'utf8')) as InflightJournal;
  } catch {
    return null;
  }
}

export interface RecoveryReport {
  /** A restore that a crash interrupted, finished from this ref. */
  finishedRestore?: string;
  /** A migration that a crash interrupted, undone by restoring this ref. */
  undoneRun?: { ref: string; runId: string; by: string; startedAt: string };
}

async function recover(store: Store, target: RunTargetLike): Promise<RecoveryReport> {
  const report: RecoveryReport = {};
  const finished = await store.finishRestore(target);
  if (finished) report.finishedRestore = finished;
  const journal = await readJournal(target.dir, store.journal);
  if (journal) {
    await store.restore(target, journal.ref);
    await removeDurable(join(target.dir, store.journal));
    report.undoneRun = { ref: journal.ref, runId: journal.runId, by: journal.by, startedAt: journal.startedAt };
  }
  return report;
}

function makeGuard<T extends RunTargetLike>(store: Store): Guard<T> {
  const channel = (target: RunTargetLike) => `${runIdentity(target).runId}:archive`;
  return defineGuard<T>({
    name: store.guard,
    async aroundRun(ctx, next) {
      const target = ctx.target;
      const recovered = await recover(store, target);
      if (recovered.finishedRestore) ctx.emit('restore-finished', { status: 'RESTORE_COMPLETE', channel: channel(target), ref: recovered.finishedRestore, reason: 'interrupted restore finished' });
      if (recovered.undoneRun) {
        ctx.emit('interrupted-run-restored', { status: 'RESTORE_COMPLETE', channel: channel(target), ref: recovered.undoneRun.ref, interruptedRunId: recovered.undoneRun.runId, by: recovered.undoneRun.by });
        ctx.restored();
        throw new RunDirsGuardError(
          'INTERRUPTED_RUN_RESTORED',
          `run "${shortLabel(target)}": an earlier migration (${recovered.undoneRun.runId} by ${recovered.undoneRun.by}, started ${recovered.undoneRun.startedAt}) was interrupted; the run was restored from ${recovered.undoneRun.ref}. Plan and run again`,
        );
      }
      let taken: { ref: string; detail: Record<string, unknown> };
      try {
        taken = await store.take(target);
      } catch (error) {
        ctx.emit(`${store.noun.toLowerCase()}-failed`, { status: `${store.noun}_FAILED`, channel: channel(target), error: describeError(error) });
        throw error;
      }
      ctx.emit(`${store.noun.toLowerCase()}-complete`, { status: `${store.noun}_COMPLETE`, channel: channel(target), ref: taken.ref, ...taken.detail });
      ctx.snapshotTaken(taken.ref);
      const journal: InflightJournal = { guard: store.guard, ref: taken.ref, runId: ctx.runId, by: `${hostname()}:${process.pid}`, startedAt: new Date().toISOString() };
      await writeJsonDurable(join(target.dir, store.journal), journal);
      try {
        await next();
      } catch (error) {
        try {
          const detail = await store.restore(target, taken.ref);
          await removeDurable(join(target.dir, store.journal));
          // The run equals the snapshot again: keeping it would only change archives/ of a run left "as it was".
          if (store.discard) await store.discard(target, taken.ref);
          ctx.emit('restore-complete', { status: 'RESTORE_COMPLETE', channel: channel(target), ref: taken.ref, discarded: Boolean(store.discard), ...detail });
          ctx.restored();
        } catch (restoreError) {
          // The journal stays: the next run under the lease retries the restore before anything else.
          ctx.emit('restore-failed', { status: 'RESTORE_FAILED', channel: channel(target), ref: taken.ref, error: describeError(restoreError) });
          throw new RunDirsGuardError('RESTORE_FAILED', `run "${shortLabel(target)}": the migration failed (${describeError(error)}) AND the restore from ${taken.ref} failed (${describeError(restoreError)}); the next run will retry the restore first`, { cause: error });
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
    async take(target) {
      await removeStaleArchiveTemps(target.dir);
      const r = await createRunArchive(target.dir, runIdentity(target).runId, { kind: 'pre_migration', preserve, ...(options.level === undefined ? {} : { level: options.level }) });
      return { ref: r.ref, detail: { archive: r.ref, entries: r.entries, sourceBytes: r.sourceBytes, zipBytes: r.zipBytes, ms: r.ms } };
    },
    async restore(target, ref) {
      const r = await restoreRunArchive(target.dir, ref, { preserve });
      return { archive: r.ref, entries: r.entries, ms: r.ms, ...(r.skipped.length ? { skipped: r.skipped.length } : {}) };
    },
    finishRestore: (target) => finishInterruptedRestore(target.dir, { preserve }),
    ...(options.keepOnFailure ? {} : { discard: async (target: RunTargetLike, ref: string) => rm(join(target.dir, ref), { force: true }) }),
    async afterSuccess(target, _ref, ctx) {
      if (!options.archiveAfter) return;
      try {
        const r = await createRunArchive(target.dir, runIdentity(target).runId, { kind: 'post_migration', preserve });
        ctx.emit('archive-complete', { status: 'ARCHIVE_COMPLETE', channel: `${runIdentity(target).runId}:archive`, ref: r.ref, archive: r.ref, phase: 'after', entries: r.entries, zipBytes: r.zipBytes, ms: r.ms });
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
export async function recoverInterruptedRun(target: RunTargetLike, options: { preserve?: readonly string[] } = {}): Promise<RecoveryReport[]> {
  const zip = await recover(
    {
      guard: 'run-dirs:archive',
      noun: 'ARCHIVE',
      journal: ARCHIVE_INFLIGHT,
      take: () => Promise.reject(new Error('unused')),
      restore: async (t, ref) => ({ ...(await restoreRunArchive(t.dir, ref, options)) }),
      finishRestore: (t) => finishInterruptedRestore(t.dir, options),
    },
    target,
  );
  const links = await recover(
    {
      guard: 'run-dirs:hardlink-snapshot',
      noun: 'SNAPSHOT',
      journal: SNAPSHOT_INFLIGHT,
      take: () => Promise.reject(new Error('unused')),
      restore: async (t, ref) => ({ ...(await restoreHardlinkSnapshot(t.dir, ref, options)) }),
      finishRestore: (t) => finishInterruptedSnapshotRestore(t.dir, options),
    },
    target,
  );
  return [zip, links];
}
