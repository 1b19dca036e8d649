// The run hook: migrate one run and say what happened, in the terms of the real tools (status + reason),
// then upsert the registry row. Refusals (READONLY, a locked `.nodb`) are decided BEFORE the runner takes
// its lease, so a refused run is left byte for byte as it was: no lock file, no ledger, no archive.
import { access } from 'node:fs/promises';
import {
  createRunner,
  describeError,
  hasWork,
  isTidemarkError,
  type Guard,
  type Plugin,
  type TidemarkEvent,
} from '@tidemark/core';
import type { LeaseOptions } from '@tidemark/core';
import { defaultRunDirGuards, type RunDirGuardOptions } from '../guards/default-guards.js';
import { assertNoNodbLocks, type RedisCommander } from '../guards/nodb-locks.js';
import { isReadonlyRun } from '../guards/readonly.js';
import { guardReasonOf } from '../guards/refusal.js';
import { runIdentity } from '../guards/run-identity.js';
import { readProvenance } from '../provenance/sidecar.js';
import type { RunRegistry } from '../provenance/registry.js';
import { readRunConfig } from '../provenance/run-config.js';
import type { RunDirTarget } from '../target.js';
import type { RunStatus } from './log-line.js';

export interface MigrateRunOptions {
  target: RunDirTarget;
  plugin: Plugin<RunDirTarget>;
  /**
   * The run's name in the report and its registry row. Default: the run id, or for a `_pups/` child
   * `<parent runid>/<path below the parent>` (as discoverRuns names it), so two parents' `burned` pups
   * never share a registry row.
   */
  name?: string;
  /**
   * Guards to run under; default `defaultRunDirGuards({ redis, snapshot })` (the fleet job's full stack, temp sweep
   * included).
   */
  guards?: readonly Guard<RunDirTarget>[];
  redis?: RedisCommander;
  snapshot?: RunDirGuardOptions['snapshot'];
  /** Also write `<runid>.post_migration.<ts>.zip` after a successful migration (zip snapshots). */
  archiveAfter?: boolean;
  registry?: RunRegistry;
  dryRun?: boolean;
  lock?: LeaseOptions;
  /** Every event of the run (progress sinks, a Redis publisher...). */
  onEvent?: (event: TidemarkEvent) => void;
  signal?: AbortSignal;
}

export interface RunReport {
  run: string;
  dir: string;
  status: RunStatus;
  /** Why a run failed or was refused: READONLY, NODB_LOCKED, DISK_SPACE, STEP_FAILED, ... */
  reason?: string;
  error?: string;
  durationMs: number;
  readonly?: boolean;
  fromVersion?: number;
  toVersion?: number;
  traits: { id: string; summary: string }[];
  pending: string[];
  applied: string[];
  baselined: string[];
  /** Trait findings only an outside tool can fix (reported, never pretended). */
  external: string[];
  restored?: boolean;
  archiveBefore?: string;
  archiveAfter?: string;
  registryError?: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function migrateRun(options: MigrateRunOptions): Promise<RunReport> {
  const t0 = performance.now();
  const { target, plugin } = options;
  const id = runIdentity(target);
  const name = options.name ?? (id.lockPrefix ? `${id.lockRunId}/${id.lockPrefix}` : id.runId);
  const report: RunReport = {
    run: name,
    dir: id.dir,
    status: 'unchanged',
    durationMs: 0,
    traits: [],
    pending: [],
    applied: [],
    baselined: [],
    external: [],
  };
  const finish = async (status: RunStatus, extra: Partial<RunReport> = {}): Promise<RunReport> => {
    Object.assign(report, extra, { status, durationMs: Math.round(performance.now() - t0) });
    if (options.registry && status !== 'missing' && status !== 'dry-run')
      await upsertRegistry(options.registry, target, report);
    return report;
  };
  if (!(await exists(id.dir))) return finish('missing', { reason: 'NOT_FOUND' });

  const events: TidemarkEvent[] = [];
  const make = () =>
    createRunner({
      plugin,
      target,
      guards:
        options.guards ??
        defaultRunDirGuards({
          ...(options.redis ? { redis: options.redis } : {}),
          snapshot: options.snapshot ?? 'zip',
          ...(options.archiveAfter ? { archiveAfter: true } : {}),
        }),
      onEvent: (e) => {
        events.push(e);
        options.onEvent?.(e);
      },
      ...(options.lock ? { lock: options.lock } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  let runner = make();
  try {
    if (await isReadonlyRun(id.dir)) report.readonly = true;
    report.fromVersion = plugin.stamp ? await plugin.stamp.read(target) : undefined;
    const plan = await runner.plan();
    report.traits = Object.entries(plan.findings).flatMap(([trait, ev]) =>
      ev ? [{ id: trait, summary: ev.summary }] : [],
    );
    report.pending = [...plan.steps.map((s) => s.id), ...plan.baseline.map((b) => b.id)];
    report.external = plan.external.map((x) => x.trait);
    if (!hasWork(plan)) return await finish('unchanged', { toVersion: report.fromVersion });
    if (options.dryRun) return await finish('dry-run');
    if (report.readonly)
      return await finish('failed', { reason: 'READONLY', error: 'run is READONLY; nothing was changed' });
    if (options.redis) await assertNoNodbLocks(options.redis, target);

    let result;
    try {
      result = await runner.up();
    } catch (error) {
      if (guardReasonOf(error)?.reason !== 'INTERRUPTED_RUN_RESTORED') throw error;
      // An earlier crashed run was undone; plan again on the whole run.
      runner = make();
      result = await runner.up();
    }
    const archives = guardRefs(events);
    // Another `up` (a second fleet on the same root) migrated the run while this one waited for its lease:
    // the plan made under the lease was empty and nothing was applied here.
    if (result.outcome === 'nothing-to-do')
      return await finish('unchanged', {
        toVersion: plugin.stamp ? await plugin.stamp.read(target) : report.fromVersion,
      });
    return await finish('migrated', {
      applied: result.applied,
      baselined: result.baselined,
      toVersion: plugin.stamp ? await plugin.stamp.read(target) : undefined,
      ...archives,
    });
  } catch (error) {
    const guard = guardReasonOf(error);
    const reason = guard?.reason ?? (isTidemarkError(error) ? error.code : 'ERROR');
    const restored = events.some((e) => e.type === 'guard' && e.detail?.status === 'RESTORE_COMPLETE');
    return finish('failed', {
      reason,
      error: describeError(error),
      restored,
      ...guardRefs(events),
      toVersion: plugin.stamp ? await plugin.stamp.read(target).catch(() => undefined) : undefined,
    });
  }
}

function guardRefs(events: readonly TidemarkEvent[]): Pick<RunReport, 'archiveBefore' | 'archiveAfter'> {
  const out: Pick<RunReport, 'archiveBefore' | 'archiveAfter'> = {};
  for (const e of events) {
    if (e.type !== 'guard' || typeof e.detail?.ref !== 'string') continue;
    if (e.detail.status === 'ARCHIVE_COMPLETE' || e.detail.status === 'SNAPSHOT_COMPLETE') {
      if (e.detail.phase === 'after') out.archiveAfter = e.detail.ref;
      else out.archiveBefore ??= e.detail.ref;
    }
  }
  return out;
}

async function upsertRegistry(registry: RunRegistry, target: RunDirTarget, report: RunReport): Promise<void> {
  try {
    const provenance = await readProvenance(target).catch(() => null);
    await registry.upsert({
      runid: report.run,
      config: provenance?.config ?? (await readRunConfig(target)) ?? '',
      local_path: report.dir,
      source_host: provenance?.source_host ?? null,
      original_url: provenance?.original_url ?? null,
      pulled_at: provenance?.pulled_at ?? null,
      owner_email: provenance?.owner_email ?? null,
      version_at_pull: provenance?.version_at_pull ?? null,
      traits_detected: report.traits,
      last_migration_version: report.toVersion ?? report.fromVersion ?? null,
      last_status: report.reason ? `${report.status}:${report.reason}` : report.status,
      archive_before: report.archiveBefore ?? null,
      archive_after: report.archiveAfter ?? null,
      ...(provenance?.is_fixture === undefined ? {} : { is_fixture: provenance.is_fixture }),
    });
  } catch (error) {
    report.registryError = describeError(error);
  }
}
