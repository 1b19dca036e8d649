// The seed's pre-flight (`--check-eligibility`), as a JSON report and an exit code, never writing: can we
// read the spreadsheet (access), did the API answer without throttling (quota), does the sheet fit in
// Google's 10,000,000-cell limit once the three columns are added (size), may the file be copied (backup
// possible), is the layout one we migrate, and for a rollback, is it inside the window.
import { describeError } from '@tidemark/core';
import { ADD_COLUMNS_STEP } from './migrations/002_add_v3_columns.js';
import { BACKUP_STEP, findBackup } from './backup.js';
import type { Config } from './options.js';
import { classify, sheetProps, spreadsheetProps, viewSheet } from './inspect.js';
import { sheetsLedger } from './ledger.js';
import type { SheetsTarget } from './target.js';

/** Google Sheets' limit of cells per spreadsheet. */
export const CELL_LIMIT = 10_000_000;

export interface EligibilityCheck {
  passed: boolean;
  [detail: string]: unknown;
}

export interface EligibilityReport {
  timestamp: string;
  spreadsheetId: string;
  sheet: string;
  command: 'migrate' | 'rollback';
  checks: Record<string, EligibilityCheck>;
  eligible: boolean;
  errors: string[];
  exitCode: 0 | 1;
}

export async function checkEligibility(
  target: SheetsTarget,
  config: Config,
  command: 'migrate' | 'rollback',
): Promise<EligibilityReport> {
  const checks: Record<string, EligibilityCheck> = {};
  const attempt = async (name: string, fn: () => Promise<EligibilityCheck>) => {
    try {
      checks[name] = await fn();
    } catch (error) {
      checks[name] = { passed: false, error: describeError(error) };
    }
  };
  await attempt('access', async () => {
    const props = await spreadsheetProps(target, true);
    const sheet = sheetProps(target, props);
    return { passed: true, title: props.properties?.title ?? null, sheetId: sheet.sheetId ?? 0 };
  });
  if (checks.access?.passed) {
    await attempt('sheet_size', async () => {
      const props = await spreadsheetProps(target);
      const cells = (props.sheets ?? []).reduce(
        (n, s) => n + (s.properties?.gridProperties?.rowCount ?? 0) * (s.properties?.gridProperties?.columnCount ?? 0),
        0,
      );
      const rows = sheetProps(target, props).gridProperties?.rowCount ?? 0;
      const after = command === 'migrate' ? cells + rows * config.schema.added.length : cells;
      return { passed: after <= CELL_LIMIT, cells, cellsAfter: after, limit: CELL_LIMIT };
    });
    await attempt('layout', async () => {
      const c = classify(await viewSheet(target), config.schema);
      return {
        passed: c.shape !== 'invalid',
        shape: c.shape,
        columns: c.width,
        dataRows: c.dataRows.length,
        ...(c.problems.length ? { problems: c.problems } : {}),
      };
    });
    await attempt('backup_possible', async () => {
      const drive = await target.session.drive();
      const file = await target.session.call('drive.files.get', 'meta', (o) =>
        drive.files.get(
          { fileId: target.spreadsheetId, supportsAllDrives: true, fields: 'id,capabilities(canCopy)' },
          o,
        ),
      );
      const canCopy = (file as { capabilities?: { canCopy?: boolean } }).capabilities?.canCopy;
      if (command === 'rollback') {
        const backup = await findBackup(target, config);
        return { passed: canCopy !== false, canCopy: canCopy ?? 'not reported', backupId: backup?.fileId ?? null };
      }
      return { passed: canCopy !== false, canCopy: canCopy ?? 'not reported' };
    });
    await attempt('window', async () => {
      if (command === 'migrate') return { passed: true, applies: 'rollback only' };
      const entries = await sheetsLedger(target, config.clock).read();
      const applied =
        entries.find((e) => e.id === ADD_COLUMNS_STEP && e.outcome === 'applied') ??
        entries.find((e) => e.id === BACKUP_STEP && e.outcome === 'applied');
      if (!applied) return { passed: false, reason: 'nothing applied: no migration to roll back' };
      const ageDays = (config.clock() - Date.parse(applied.at)) / 86_400_000;
      const windowDays = config.windowMs / 86_400_000;
      return {
        passed: ageDays <= windowDays || config.override,
        migratedAt: applied.at,
        ageDays: Number(ageDays.toFixed(2)),
        windowDays,
        overridden: ageDays > windowDays && config.override,
      };
    });
  }
  const stats = target.session.stats;
  checks.quota = { passed: stats.retries === 0, requests: stats.requests, retries: stats.retries };
  const errors = Object.entries(checks).flatMap(([k, v]) =>
    v.passed ? [] : [`${k} failed: ${JSON.stringify({ ...v, passed: undefined })}`],
  );
  return {
    timestamp: new Date(config.clock()).toISOString(),
    spreadsheetId: target.spreadsheetId,
    sheet: target.sheetName,
    command,
    checks,
    eligible: errors.length === 0,
    errors,
    exitCode: errors.length === 0 ? 0 : 1,
  };
}
