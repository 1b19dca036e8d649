// Fleet operations over a root of runs: `scan` (read-only: version, traits, pending steps of every run) and
// `up` (migrate every run with N workers; a family — a run and its `_pups` — stays on one worker).
import type { Plugin, TidemarkEvent } from '@tidemark/core';
import type { RunDirGuardOptions } from '../guards/default-guards.js';
import type { RedisCommander } from '../guards/nodb-locks.js';
import type { RunRegistry } from '../provenance/registry.js';
import type { RunDirTarget } from '../target.js';
import { discoverRuns, groupFamilies, type DiscoverOptions, type DiscoveredRun } from './discover.js';
import { formatLogLine, type RunStatus } from './log-line.js';
import { migrateRun, type RunReport } from './migrate-run.js';

export interface FleetOptions extends DiscoverOptions {
  plugin: Plugin<RunDirTarget>;
  redis?: RedisCommander;
  registry?: RunRegistry;
  snapshot?: RunDirGuardOptions['snapshot'];
  /** Also write a post-migration archive of each migrated run (zip snapshots). */
  archiveAfter?: boolean;
  concurrency?: number;
  dryRun?: boolean;
  /** Called once per run as it finishes (log lines, progress). */
  onReport?: (report: RunReport, done: number, total: number) => void;
  onEvent?: (event: TidemarkEvent) => void;
  signal?: AbortSignal;
  lock?: { waitMs?: number; ttlMs?: number };
}

export interface FleetSummary {
  total: number;
  counts: Record<RunStatus, number>;
  reasons: Record<string, number>;
  durationMs: number;
  runsPerSecond: number;
  reports: RunReport[];
}

function summarize(reports: RunReport[], durationMs: number): FleetSummary {
  const counts: Record<RunStatus, number> = { migrated: 0, unchanged: 0, 'dry-run': 0, failed: 0, missing: 0 };
  const reasons: Record<string, number> = {};
  for (const r of reports) {
    counts[r.status]++;
    if (r.reason && r.status === 'failed') reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
  }
  return {
    total: reports.length,
    counts,
    reasons,
    durationMs,
    runsPerSecond: durationMs > 0 ? (reports.length * 1000) / durationMs : 0,
    reports,
  };
}

/** Runs `work` over `items` with at most `n` in flight, preserving nothing but completion order. */
async function pool<I>(
  items: readonly I[],
  n: number,
  work: (item: I) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

export async function fleetRuns(root: string, options: DiscoverOptions = {}): Promise<DiscoveredRun[]> {
  return discoverRuns(root, options);
}

/** Migrates (or, with dryRun, plans) every run under root. */
export async function fleetUp(root: string, options: FleetOptions): Promise<FleetSummary> {
  const t0 = performance.now();
  const runs = await discoverRuns(root, options);
  const reports: RunReport[] = [];
  await pool(
    groupFamilies(runs),
    options.concurrency ?? 1,
    async (family) => {
      for (const run of family) {
        const report = await migrateRun({
          target: { dir: run.dir, runId: run.runId },
          name: run.name,
          plugin: options.plugin,
          ...(options.redis ? { redis: options.redis } : {}),
          ...(options.registry ? { registry: options.registry } : {}),
          ...(options.snapshot ? { snapshot: options.snapshot } : {}),
          ...(options.archiveAfter ? { archiveAfter: true } : {}),
          ...(options.dryRun ? { dryRun: true } : {}),
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.lock ? { lock: options.lock } : {}),
        });
        reports.push(report);
        options.onReport?.(report, reports.length, runs.length);
      }
    },
    options.signal,
  );
  return summarize(reports, performance.now() - t0);
}

/** Read-only: version, traits and pending steps of every run (a dry run that also reports unchanged runs). */
export async function fleetScan(
  root: string,
  options: Omit<FleetOptions, 'dryRun' | 'registry'>,
): Promise<FleetSummary> {
  return fleetUp(root, { ...options, dryRun: true });
}

export function reportLine(r: RunReport): string {
  return formatLogLine({
    run: r.run,
    status: r.status,
    durationMs: r.durationMs,
    extra: {
      version: r.fromVersion,
      ...(r.readonly ? { readonly: true } : {}),
      ...(r.toVersion !== undefined && r.toVersion !== r.fromVersion ? { to_version: r.toVersion } : {}),
      ...(r.traits.length ? { traits: r.traits.map((t) => t.id) } : {}),
      ...(r.status === 'dry-run' || (r.status === 'failed' && r.pending.length) ? { pending: r.pending } : {}),
      ...(r.applied.length ? { applied: r.applied.length } : {}),
      ...(r.external.length ? { external: r.external } : {}),
      reason: r.reason,
      ...(r.restored !== undefined ? { restored: r.restored } : {}),
      archive: r.archiveBefore,
      error: r.error,
      registry_error: r.registryError,
    },
  });
}
