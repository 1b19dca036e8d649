// "Restore last archive" (the real restore route): refuse a READONLY or `.nodb`-locked run, take the run's
// lease (so no migration runs meanwhile), restore from the newest zip in `archives/` that a migration of this
// run took (its ledger names it; a zip merely dropped into `archives/` is never picked), or the one an admin
// names, verified and zip-slip safe (plugin-run-dirs' restoreRunArchive). Reports on `<runid>:archive`.
import { acquireLease } from '@tidemark/core';
import {
  assertNoNodbLocks,
  isReadonlyRun,
  restoreRunArchive,
  runDirLedger,
  type RunDirTarget,
} from '@tidemark/plugin-run-dirs';
import { listArchives, readRunState } from '../runs/run-state.js';
import { FleetJobError, type JobContext } from './context.js';
import type { FleetJobResult } from './job-data.js';

export async function runRestoreJob(ctx: JobContext, target: RunDirTarget): Promise<FleetJobResult> {
  const { env, sink } = ctx;
  const runId = ctx.data.runId;
  if (await isReadonlyRun(target.dir))
    throw new FleetJobError('READONLY', `run ${runId} is READONLY; nothing was restored`, true);
  const archives = await listArchives(target.dir);
  const taken = new Set(
    (await runDirLedger(target).read()).flatMap((e) =>
      e.snapshot?.ref.startsWith('archives/') && e.snapshot.ref.endsWith('.zip')
        ? [e.snapshot.ref.slice('archives/'.length)]
        : [],
    ),
  );
  const archive = ctx.data.archive ?? archives.find((a) => taken.has(a));
  if (!archive) {
    throw new FleetJobError(
      'NO_ARCHIVE',
      archives.length === 0
        ? `run ${runId} has no archive in archives/ to restore from`
        : `run ${runId} has ${archives.length} archive(s) in archives/ but its ledger names none as taken by a migration; name the one to restore explicitly`,
      true,
    );
  }
  if (!archives.includes(archive))
    throw new FleetJobError('NO_ARCHIVE', `run ${runId} has no archive named ${archive}`, true);
  try {
    await assertNoNodbLocks(env.redis, target);
  } catch (error) {
    throw new FleetJobError('NODB_LOCKED', (error as Error).message, false);
  }
  const lease = await acquireLease(runDirLedger(target).lock, { ...env.lock, target: runId, signal: ctx.signal });
  let result;
  try {
    result = await restoreRunArchive(target.dir, `archives/${archive}`);
  } catch (error) {
    sink.emit('RESTORE_FAILED', { message: (error as Error).message });
    throw new FleetJobError('RESTORE_FAILED', (error as Error).message, true);
  } finally {
    await lease.release();
  }
  sink.emit('RESTORE_COMPLETE', {
    message: `restored from ${result.ref}`,
    detail: { ref: result.ref, entries: result.entries, ms: result.ms },
  });
  const previous = await env.index.get(runId);
  await env.index.put(
    await readRunState(
      { dir: target.dir, runId },
      { ...previous, traits: null, pending: [], lastStatus: 'restored', lastJob: ctx.jobId },
    ),
  );
  return { runId, kind: 'restore', status: 'restored', detail: { archive: result.ref, entries: result.entries } };
}
