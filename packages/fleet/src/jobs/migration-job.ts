// The migration job (the seed's `migration_rq`): plugin-run-dirs' migrateRun under the guard stack (READONLY,
// `.nodb` locks held, disk, pre-migration archive), its events relayed to `<runid>:migration`, the run's
// index row and registry row updated. A failed run was restored by the archive guard before we get here.
import { defaultRunDirGuards, migrateRun, type RunDirTarget } from '@tidemark/plugin-run-dirs';
import { readRunState } from '../runs/run-state.js';
import { FleetJobError, type JobContext } from './context.js';
import type { FleetJobResult } from './job-data.js';
import { isPermanent } from './retry-policy.js';

export async function runMigrationJob(ctx: JobContext, target: RunDirTarget): Promise<FleetJobResult> {
  const { env, sink } = ctx;
  const runId = ctx.data.runId;
  const report = await migrateRun({
    target,
    name: runId,
    plugin: env.plugin,
    // The plugin's default stack, built here so the worker's Redis and lock TTL are used.
    guards: defaultRunDirGuards({ redis: env.redis, snapshot: env.snapshot, nodbLockTtlMs: env.nodbLockTtlMs }),
    redis: env.redis,
    lock: env.lock,
    signal: ctx.signal,
    onEvent: sink.onEvent,
    ...(env.registry ? { registry: env.registry } : {}),
  });
  if (report.toVersion !== undefined && report.fromVersion !== undefined && report.toVersion !== report.fromVersion) {
    sink.emit('VERSION_STAMPED', {
      message: `nodb.version ${report.fromVersion} -> ${report.toVersion}`,
      detail: { from: report.fromVersion, to: report.toVersion },
    });
  }
  const lastStatus = report.reason ? `${report.status}:${report.reason}` : report.status;
  const previous = await env.index.get(runId);
  await env.index.put(
    await readRunState(
      { dir: target.dir, runId },
      {
        ...previous,
        traits: report.traits.map((t) => t.id),
        pending: report.status === 'migrated' || report.status === 'unchanged' ? [] : report.pending,
        lastStatus,
        lastJob: ctx.jobId,
        ...(report.error ? { lastError: report.error } : { lastError: undefined }),
      },
    ),
  );
  const detail = {
    status: report.status,
    applied: report.applied,
    baselined: report.baselined,
    fromVersion: report.fromVersion,
    toVersion: report.toVersion,
    archiveBefore: report.archiveBefore,
    restored: report.restored,
    durationMs: report.durationMs,
  };
  if (report.status === 'failed' || report.status === 'missing') {
    const reason = report.reason ?? 'ERROR';
    // A shutdown that aborted a step is never the run's fault: another worker takes it again.
    const permanent = !ctx.signal.aborted && isPermanent(reason);
    throw new FleetJobError(
      reason,
      `run ${runId} ${report.status}: ${reason}${report.error ? ` (${report.error})` : ''}${report.restored ? '; the run was restored from its archive' : ''}`,
      permanent,
    );
  }
  return { runId, kind: 'migration', status: report.status, detail };
}
