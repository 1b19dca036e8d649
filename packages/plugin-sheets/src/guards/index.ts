// Two guards. `rollback-window` refuses a rollback older than the window (7 days) unless explicitly overridden.
// `restore-on-failure` undoes what a failed `up` did in this run (the failing step's partial work included), in
// reverse order, with the steps' own verified downs, so the target is back at its state before the run.
import {
  createError,
  defineGuard,
  isTidemarkError,
  TidemarkError,
  type Guard,
  type Migration,
  type MigrationContext,
} from '@tidemark/core';
import { PLUGIN } from '../client.js';
import type { Config } from '../options.js';
import { label } from '../inspect.js';
import { sheetsLedger } from '../ledger.js';
import { ADD_COLUMNS_STEP } from '../migrations/002_add_v3_columns.js';
import { BACKUP_STEP } from '../backup.js';
import type { SheetsTarget } from '../target.js';

export function rollbackWindowGuard(config: Config): Guard<SheetsTarget> {
  return defineGuard<SheetsTarget>({
    name: 'rollback-window',
    async aroundRun(ctx, next) {
      if (ctx.command === 'down') {
        const entries = await sheetsLedger(ctx.target, config.clock).read();
        const applied =
          entries.find((e) => e.id === ADD_COLUMNS_STEP && e.outcome === 'applied') ??
          entries.find((e) => e.id === BACKUP_STEP && e.outcome === 'applied');
        if (applied) {
          const ageMs = config.clock() - Date.parse(applied.at);
          const days = (ageMs / 86_400_000).toFixed(1);
          const windowDays = config.windowMs / 86_400_000;
          if (ageMs > config.windowMs) {
            if (!config.override) {
              throw new TidemarkError(
                'NOT_SUPPORTED',
                `rollback window closed: ${applied.id} was applied ${applied.at} (${days} days ago, window ${windowDays} days); nothing was changed. Pass rollback.override = true (CLI: --override-window) after checking what the app wrote since`,
                { plugin: PLUGIN, target: label(ctx.target) },
              );
            }
            ctx.emit('window-overridden', { appliedAt: applied.at, ageDays: Number(days), windowDays });
          }
        }
      }
      await next();
    },
  });
}

export function restoreOnFailureGuard(
  config: Config,
  migrations: () => readonly Migration<SheetsTarget>[],
): Guard<SheetsTarget> {
  return defineGuard<SheetsTarget>({
    name: 'restore-on-failure',
    async aroundRun(ctx, next) {
      if (ctx.command !== 'up') return next();
      try {
        await next();
      } catch (error) {
        const lockLost =
          isTidemarkError(error, 'LOCK_LOST') ||
          isTidemarkError((error as { cause?: unknown })?.cause, 'LOCK_LOST') ||
          ctx.signal.aborted;
        if (lockLost) throw error; // someone else may hold the sheet now: write nothing more
        const ledger = sheetsLedger(ctx.target, config.clock);
        try {
          const entries = await ledger.read();
          const done = new Set(
            entries.filter((e) => e.runId === ctx.runId && e.outcome === 'applied').map((e) => e.id),
          );
          const failing = ctx.steps.find((id) => !done.has(id));
          const undo = [...ctx.steps.filter((id) => done.has(id) || id === failing)].reverse();
          const byId = new Map(migrations().map((m) => [m.id, m]));
          for (const id of undo) {
            const m = byId.get(id);
            if (!m?.down) continue;
            await m.down(
              downContext(ctx.target, id, ctx.signal, (message, data) =>
                ctx.emit('restore', { migration: id, message, ...data }),
              ),
            );
          }
          // Checkpoints of undone steps describe work that no longer exists.
          for (const id of undo) await ledger.checkpoints.clear(id);
          ctx.emit('restored', { undone: undo });
          ctx.restored();
        } catch (restoreError) {
          ctx.emit('restore-failed', { error: String((restoreError as Error)?.message ?? restoreError) });
        }
        throw error;
      }
    },
  });
}

function downContext(
  target: SheetsTarget,
  migrationId: string,
  signal: AbortSignal,
  log: (message: string, data?: Record<string, unknown>) => void,
): MigrationContext<SheetsTarget> {
  return {
    target,
    targetLabel: label(target),
    migrationId,
    direction: 'down',
    signal,
    progress: () => {},
    log,
    warn: log,
    checkpoint: { load: async () => null, save: async () => {}, clear: async () => {} },
    // As in the runner's own down: the step's entry is about to go, so there is nothing to record on.
    record: () => {
      throw createError('plugin-sheets', "ctx.record is only for up: down removes this step's ledger entry", {
        code: 'NOT_SUPPORTED',
      });
    },
  };
}
