// The runbook's pre-checks and backups as guards around an `up` run: both act before the first step, so a
// failure stops the run with nothing changed.
import { TidemarkError, defineGuard, type Guard } from '@tidemark/core';
import { createBackup, type BackupInfo } from '../backup.js';
import { PLUGIN_NAME } from '../options.js';
import { runPrechecks, type PrecheckOptions, type PrecheckReport } from '../prechecks.js';
import { rehearsalOrigin } from '../rehearsal-session.js';
import type { TelemetryTarget } from '../target.js';

/** The last pre-check report and backup per target object, for the runbook report of the same process. */
export const lastRun = new WeakMap<TelemetryTarget, { prechecks?: PrecheckReport; backup?: BackupInfo }>();

function remember(target: TelemetryTarget, patch: { prechecks?: PrecheckReport; backup?: BackupInfo }): void {
  lastRun.set(target, { ...lastRun.get(target), ...patch });
}

export function precheckGuard(options: PrecheckOptions = {}): Guard<TelemetryTarget> {
  return defineGuard<TelemetryTarget>({
    name: 'prechecks',
    async aroundRun(ctx, next) {
      if (ctx.command !== 'up') return next();
      const report = await runPrechecks(ctx.target, options);
      remember(ctx.target, { prechecks: report });
      ctx.emit(report.ok ? 'passed' : 'failed', { items: report.items });
      if (!report.ok) {
        const failed = report.items.filter((i) => i.status === 'fail').map((i) => `${i.name}: ${i.detail}`);
        throw new TidemarkError(
          'STEP_FAILED',
          `pre-checks failed, nothing was changed:\n  - ${failed.join('\n  - ')}`,
          { plugin: PLUGIN_NAME, target: ctx.targetLabel, step: 'guard:prechecks' },
        );
      }
      await next();
    },
  });
}

const NEEDS_BACKUP = new Set(['002_config_profiles', '003_ingest_logs']);

export function backupGuard(): Guard<TelemetryTarget> {
  return defineGuard<TelemetryTarget>({
    name: 'backup',
    async aroundRun(ctx, next) {
      // A rehearsal is rolled back: nothing to back up, and it must leave no file behind.
      if (ctx.command !== 'up' || !ctx.steps.some((s) => NEEDS_BACKUP.has(s)) || rehearsalOrigin(ctx.target))
        return next();
      const backup = await createBackup(ctx.target);
      remember(ctx.target, { backup });
      ctx.emit('tarball-written', {
        path: backup.path,
        bytes: backup.bytes,
        entries: backup.entries.length,
        sha256: backup.sha256,
      });
      await next();
    },
  });
}
