// The calls an app or the CLI makes: migrate (with preflight, dry-run, force), verify (JSON report + exit
// code), rollback (window enforced, verified), status. Each reports the API requests it cost.
import {
  createRunner,
  TidemarkError,
  type LeaseOptions,
  type Plan,
  type RunResult,
  type StatusReport,
  type TidemarkEvent,
} from '@tidemark/core';
import { columnLetter } from './a1.js';
import { backupFile } from './backup.js';
import { PLUGIN } from './client.js';
import { label } from './inspect.js';
import { runChecks, type VerificationReport } from './checks.js';
import type { RequestStats } from './client.js';
import { resolveConfig, type SheetsPluginOptions } from './options.js';
import { sheetsLedger } from './ledger.js';
import { sheetsPlugin } from './plugin.js';
import { assertMigratable } from './preflight.js';
import type { SheetsTarget } from './target.js';

export interface RunOptions extends SheetsPluginOptions {
  onEvent?: (event: TidemarkEvent) => void;
  lock?: LeaseOptions;
  by?: string;
}

export interface MigrateOptions extends RunOptions {
  /** Plan and describe the writes; write nothing. */
  dryRun?: boolean;
  /** Drop saved checkpoints first: an interrupted step restarts from its beginning instead of resuming. */
  force?: boolean;
}

export interface MigrateResult {
  outcome: RunResult['outcome'];
  plan: Plan;
  applied: string[];
  baselined: string[];
  /** Dry-run: what the run would write. */
  wouldWrite?: string[];
  report?: VerificationReport;
  stats: RequestStats;
  durationMs: number;
}

const snapshot = (s: RequestStats): RequestStats => structuredClone(s);

export async function migrateSheet(target: SheetsTarget, options: MigrateOptions = {}): Promise<MigrateResult> {
  const started = performance.now();
  const config = resolveConfig(options);
  target.session.resetStats();
  const pre = await assertMigratable(target, config);
  const runner = createRunner({ plugin: sheetsPlugin(options), target, ...runnerOptions(options) });
  if (options.dryRun) {
    const result = await runner.up({ dryRun: true });
    const n = pre.classification.width;
    const wouldWrite: string[] = [];
    const steps = new Set(result.plan.steps.map((s) => s.id));
    if (steps.has('001_create_backup')) wouldWrite.push(`drive.files.copy of ${target.spreadsheetId}`);
    if (steps.has('002_add_v3_columns'))
      wouldWrite.push(
        `insert columns ${columnLetter(n)}:${columnLetter(n + config.schema.added.length - 1)} (${config.schema.added.join(', ')})`,
      );
    if (steps.has('004_initialize_versions')) {
      const rows =
        pre.classification.shape === 'v2.1'
          ? pre.classification.dataRows.length
          : pre.classification.missingVersions.length;
      wouldWrite.push(`version = 0 in ${rows} row(s)`);
    }
    if (result.plan.steps.length + result.plan.baseline.length > 0)
      wouldWrite.push(
        `ledger entries (developer metadata) for ${[...result.plan.steps, ...result.plan.baseline].map((s) => s.id).join(', ')}`,
      );
    return {
      outcome: 'dry-run',
      plan: result.plan,
      applied: [],
      baselined: [],
      wouldWrite,
      stats: snapshot(target.session.stats),
      durationMs: Math.round(performance.now() - started),
    };
  }
  if (options.force) await sheetsLedger(target, config.clock).clearCheckpoints();
  const result = await runner.up();
  const report = target.session.lastReport;
  return {
    outcome: result.outcome,
    plan: result.plan,
    applied: result.applied,
    baselined: result.baselined,
    ...(report ? { report } : {}),
    stats: snapshot(target.session.stats),
    durationMs: Math.round(performance.now() - started),
  };
}

export interface VerifyOptions extends SheetsPluginOptions {
  /** Strict = right after the migration (versions 0, occupation empty, v2.1 data equal to the backup). Default true. */
  strict?: boolean;
}

/** The seven checks; never writes. `report.exitCode` is 0 when every check passed. */
export async function verifySheet(
  target: SheetsTarget,
  options: VerifyOptions = {},
): Promise<VerificationReport & { stats: RequestStats }> {
  const config = resolveConfig(options);
  target.session.resetStats();
  const report = await runChecks(target, config, options.strict ?? true);
  return { ...report, stats: snapshot(target.session.stats) };
}

export interface RollbackOptions extends RunOptions {
  dryRun?: boolean;
  /**
   * Restore every value from this Drive backup (mode `backup`) instead of the one the ledger records; it must be
   * a Tidemark backup of this spreadsheet (`appProperties.tidemarkBackupOf`), and it is kept afterwards.
   */
  backupId?: string;
}

export interface RollbackResult {
  outcome: RunResult['outcome'];
  reverted: string[];
  stats: RequestStats;
  durationMs: number;
}

/** Reverts every applied step, newest first, each verified; refused outside the rollback window unless overridden. */
export async function rollbackSheet(target: SheetsTarget, options: RollbackOptions = {}): Promise<RollbackResult> {
  const started = performance.now();
  target.session.resetStats();
  if (options.backupId) {
    const file = await backupFile(target, options.backupId);
    if (!file)
      throw new TidemarkError(
        'VALIDATION_FAILED',
        `backup ${options.backupId} not found in Drive; nothing was changed`,
        { plugin: PLUGIN, target: label(target) },
      );
    if (file.appProperties?.tidemarkBackupOf !== target.spreadsheetId) {
      throw new TidemarkError(
        'VALIDATION_FAILED',
        `drive file ${options.backupId} is not a backup of ${target.spreadsheetId}; nothing was changed`,
        { plugin: PLUGIN, target: label(target) },
      );
    }
    target.session.backup = { fileId: options.backupId, at: '' };
    options = { ...options, rollback: { ...options.rollback, mode: 'backup', keepBackup: true } };
  }
  const runner = createRunner({ plugin: sheetsPlugin(options), target, ...runnerOptions(options) });
  const result = await runner.down({ to: null, ...(options.dryRun ? { dryRun: true } : {}) });
  return {
    outcome: result.outcome,
    reverted: result.reverted,
    stats: snapshot(target.session.stats),
    durationMs: Math.round(performance.now() - started),
  };
}

export async function sheetStatus(target: SheetsTarget, options: RunOptions = {}): Promise<StatusReport> {
  return createRunner({ plugin: sheetsPlugin(options), target, ...runnerOptions(options) }).status();
}

/**
 * A 2-minute lease renewed every 40 s: a whole migration of a large sheet fits between renewals (each renewal
 * is a request), and a crashed holder blocks others for at most 2 minutes.
 */
export const DEFAULT_LEASE: LeaseOptions = { ttlMs: 120_000, waitMs: 150_000 };

function runnerOptions(options: RunOptions) {
  return {
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    lock: { ...DEFAULT_LEASE, ...options.lock },
    ...(options.by ? { by: options.by } : {}),
  };
}
