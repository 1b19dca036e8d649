// The seed's seven verification checks, on EVERY row instead of a 10-row sample (the whole sheet is one
// read anyway): column count, new headers, versions, empty occupation columns, v2.1 data equal to the backup,
// the header -> column mapping, and the JSON report itself. Exit code 0 only when all pass.
import { columnLetter } from './a1.js';
import { findBackup } from './backup.js';
import { firstDifference } from './columns.js';
import type { Config } from './options.js';
import { classify, readValues, viewSheet } from './inspect.js';
import { INITIAL_VERSION } from './schema.js';
import type { SheetsTarget } from './target.js';

export interface CheckResult {
  passed: boolean;
  [detail: string]: unknown;
}

export interface VerificationReport {
  timestamp: string;
  spreadsheetId: string;
  sheet: string;
  /** strict = right after the migration (versions 0, occupation empty, data equal to the backup). */
  strict: boolean;
  checks: {
    column_count: CheckResult;
    new_headers: CheckResult;
    sample_versions: CheckResult;
    occupation_empty: CheckResult;
    v21_data_intact: CheckResult;
    column_mapping: CheckResult;
    json_report: CheckResult;
  };
  success: boolean;
  errors: string[];
  exitCode: 0 | 1;
}

const MAX_LISTED = 10;
const list = (rows: number[]) => rows.slice(0, MAX_LISTED).map((r) => r + 1);

/**
 * strict (the smoke step): versions are exactly 0, occupation columns empty, v2.1 values equal to the backup.
 * Not strict (a later `verify`): the app may have taken spools and bumped versions since, so those three only
 * require well-formed values (integer version >= 0) and skip the backup comparison.
 */
export async function runChecks(target: SheetsTarget, config: Config, strict: boolean): Promise<VerificationReport> {
  const { schema } = config;
  const view = await viewSheet(target);
  const c = classify(view, schema);
  // The sheet's own v2.1 columns (at least the seed's 65; extra ones carried), then the three v3.0 ones.
  const n = c.width;
  const expectedCount = n + schema.added.length;
  const errors: string[] = [];
  const { headers, values } = view;

  const column_count: CheckResult = {
    expected: expectedCount,
    actual: headers.length,
    gridColumns: view.columnCount,
    passed: headers.length === expectedCount && view.columnCount >= expectedCount,
  };
  const found = schema.added.map((h) => ({
    header: h,
    column: headers.indexOf(h) >= 0 ? columnLetter(headers.indexOf(h)) : null,
  }));
  const new_headers: CheckResult = {
    expected: [...schema.added],
    found,
    passed: found.every((f, i) => f.column === columnLetter(n + i)),
  };

  const vCol = n + schema.added.indexOf('version');
  const badVersions = c.dataRows.filter((r) => {
    const v = values[r]?.[vCol];
    return strict ? v !== INITIAL_VERSION : !(typeof v === 'number' && Number.isInteger(v) && v >= 0);
  });
  const sample_versions: CheckResult = {
    expected: strict ? INITIAL_VERSION : 'integer >= 0',
    checkedRows: c.dataRows.length,
    sampled: 'all rows',
    failingRows: list(badVersions),
    failing: badVersions.length,
    passed: new_headers.passed && badVersions.length === 0,
  };

  const occupation = schema.added.filter((h) => h !== 'version').map((h) => headers.indexOf(h));
  const occupied = c.dataRows.filter((r) =>
    occupation.some((i) => i >= 0 && values[r]?.[i] !== undefined && values[r]?.[i] !== ''),
  );
  const occupation_empty: CheckResult = strict
    ? {
        columns: schema.added.filter((h) => h !== 'version'),
        nonEmptyRows: list(occupied),
        nonEmpty: occupied.length,
        passed: new_headers.passed && occupied.length === 0,
      }
    : { skipped: 'not strict: the app fills these columns after go-live', occupiedRows: occupied.length, passed: true };

  let v21_data_intact: CheckResult;
  if (!strict) v21_data_intact = { skipped: 'not strict: v2.1 values may change after go-live', passed: true };
  else {
    const backup = await findBackup(target, config);
    if (!backup) v21_data_intact = { passed: false, reason: 'no backup recorded in the ledger to compare with' };
    else {
      const before = await readValues(target, backup.fileId, target.sheetName);
      const diff = firstDifference(before, values, n);
      v21_data_intact = {
        backupId: backup.fileId,
        comparedRows: Math.max(0, before.length - 1),
        comparedColumns: n,
        firstDifference: diff,
        passed: diff === null,
      };
    }
  }

  // What the app's ColumnMapCache does: header text -> column index, every expected name exactly once.
  const map = new Map<string, number>();
  headers.forEach((h, i) => map.set(h, map.has(h) ? -1 : i));
  const expectedHeaders = [...headers.slice(0, n), ...schema.added];
  const unmapped = expectedHeaders.filter((h, i) => map.get(h) !== i);
  const column_mapping: CheckResult = {
    mapped: expectedHeaders.length - unmapped.length,
    expected: expectedHeaders.length,
    unmapped,
    passed: unmapped.length === 0,
  };

  const checks = {
    column_count,
    new_headers,
    sample_versions,
    occupation_empty,
    v21_data_intact,
    column_mapping,
    json_report: { passed: true } as CheckResult,
  };
  for (const [name, result] of Object.entries(checks))
    if (!result.passed) errors.push(`${name} failed: ${JSON.stringify({ ...result, passed: undefined })}`);
  checks.json_report = { passed: true, checks: Object.keys(checks).length };
  const success = errors.length === 0;
  return {
    timestamp: new Date(config.clock()).toISOString(),
    spreadsheetId: target.spreadsheetId,
    sheet: target.sheetName,
    strict,
    checks,
    success,
    errors,
    exitCode: success ? 0 : 1,
  };
}
