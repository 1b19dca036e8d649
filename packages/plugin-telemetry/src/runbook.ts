// The seed's execution checklist as a report printed after each run: pre-checks, schema, ingestion validated,
// config profile, dual-write state, backup confirmed, parity. Built from what the database and disk hold now
// (plus this process's last pre-check), so it can be printed at any time. Table or JSON.
import type { Ledger, LedgerEntry } from '@tidemark/core';
import { latestBackup } from './backup.js';
import { lastRun } from './guards/index.js';
import { validateIngestion } from './migrations/003_ingest_logs.js';
import { parityReport, formatTable, type ParityReport } from './parity.js';
import { runPrechecks, type PrecheckOptions, type PrecheckReport } from './prechecks.js';
import { TABLES } from './schema.js';
import { tableExists } from './db-state.js';
import { describeTarget, type TelemetryTarget } from './target.js';
import type { TelemetryWriterStats } from './telemetry-writer.js';
import { postgresLedger } from './ledger.js';

export type ItemStatus = 'done' | 'pending' | 'warn' | 'failed';

export interface RunbookItem {
  item: string;
  status: ItemStatus;
  detail: string;
}

export interface RunbookReport {
  target: string;
  at: string;
  ok: boolean;
  items: RunbookItem[];
  prechecks: PrecheckReport;
  parity: ParityReport | null;
  backup: { path: string; bytes: number; entries: number; sha256: string } | null;
}

export interface RunbookOptions {
  ledger?: Ledger;
  prechecks?: PrecheckOptions;
  /** The app's dual-write state: its writer stats, or just whether the flag is on. */
  dualWrite?: TelemetryWriterStats | { mirrorEnabled: boolean };
  timezone?: string;
}

export async function runbookReport(target: TelemetryTarget, options: RunbookOptions = {}): Promise<RunbookReport> {
  const items: RunbookItem[] = [];
  const add = (item: string, status: ItemStatus, detail: string) => items.push({ item, status, detail });
  const remembered = lastRun.get(target);
  const prechecks = remembered?.prechecks ?? (await runPrechecks(target, options.prechecks));
  const failedChecks = prechecks.items.filter((i) => i.status === 'fail');
  const warnChecks = prechecks.items.filter((i) => i.status === 'warn');
  add(
    'Pre-checks (connectivity, disk, WAL, file inventory)',
    failedChecks.length ? 'failed' : warnChecks.length ? 'warn' : 'done',
    [...failedChecks, ...warnChecks].map((i) => `${i.name}: ${i.detail}`).join('; ') ||
      `${prechecks.items.length} checks passed; ${prechecks.inventory.files} file(s), est. ${prechecks.estimate.seconds} s`,
  );

  const ledger = options.ledger ?? postgresLedger(target.knex);
  const entries = prechecks.items.find((i) => i.name === 'connectivity')?.status === 'ok' ? await ledger.read() : [];
  const entry = (id: string): LedgerEntry | undefined => entries.find((e) => e.id === id);
  const stepDetail = (e: LedgerEntry | undefined) =>
    e ? `${e.outcome} ${e.at} by ${e.by}${e.note ? ` (${e.note})` : ''}` : 'not applied';

  const schema = entry('001_schema');
  add(
    'Schema applied',
    schema?.outcome === 'applied' ? 'done' : schema?.outcome === 'failed' ? 'failed' : 'pending',
    stepDetail(schema),
  );

  const config = entry('002_config_profiles');
  add(
    'Config profile recorded (config.json -> config_profiles)',
    config && config.outcome !== 'failed' ? 'done' : config ? 'failed' : 'pending',
    stepDetail(config),
  );

  const ingest = entry('003_ingest_logs');
  let parity: ParityReport | null = null;
  if (ingest && ingest.outcome !== 'failed' && (await tableExists(target.knex, TABLES.ingestedFiles))) {
    const issues = await validateIngestion(target);
    const totals = await target
      .knex(TABLES.ingestedFiles)
      .select(
        target.knex.raw(
          'count(*)::int AS files, coalesce(sum(inserted),0)::int AS inserted, coalesce(sum(rejected),0)::int AS rejected',
        ),
      )
      .first<{ files: number; inserted: number; rejected: number }>();
    add(
      'Ingestion completed and validated (data lines == inserted + rejected)',
      issues.length ? 'failed' : totals.rejected > 0 ? 'warn' : 'done',
      issues.length
        ? issues
            .slice(0, 5)
            .map((i) => `${i.where}: ${i.message}`)
            .join('; ')
        : `${totals.files} file(s), ${totals.inserted} sample(s), ${totals.rejected} rejected row(s) kept in rejected_rows`,
    );
    parity = await parityReport(target, { timezone: options.timezone });
  } else {
    add(
      'Ingestion completed and validated (data lines == inserted + rejected)',
      ingest?.outcome === 'failed' ? 'failed' : 'pending',
      stepDetail(ingest),
    );
  }

  const dw = options.dualWrite;
  if (!dw)
    add(
      'Dual-write enabled behind feature flag',
      'pending',
      'no TelemetryWriter state given (flag TIDEMARK_TELEMETRY_DB_WRITES)',
    );
  else if (!dw.mirrorEnabled) add('Dual-write enabled behind feature flag', 'pending', 'flag off: CSV only');
  else if ('dropped' in dw)
    add(
      'Dual-write enabled behind feature flag',
      dw.dropped > 0 || dw.dbErrors > 0 ? 'warn' : 'done',
      `mirroring: ${dw.csvRows} CSV row(s), ${dw.mirrored} mirrored, ${dw.pending} pending, ${dw.dropped} dropped, ${dw.dbErrors} DB error(s)`,
    );
  else add('Dual-write enabled behind feature flag', 'done', 'flag on');

  const latest = await latestBackup(target);
  const pitr = prechecks.wal.archive_mode === 'on' || prechecks.wal.archive_mode === 'always';
  const backup = remembered?.backup ?? latest?.backup ?? null;
  if (!backup) add('Backup confirmed (config + logs tarball; DB PITR)', 'pending', `no tarball in ${target.backupDir}`);
  else {
    const missing = latest?.missing ?? [];
    add(
      'Backup confirmed (config + logs tarball; DB PITR)',
      missing.length || !pitr ? 'warn' : 'done',
      `${backup.path} (${backup.entries.length} file(s), ${backup.bytes} B, sha256 ${backup.sha256.slice(0, 12)})${missing.length ? `; ${missing.length} newer CSV(s) not in it` : ''}; PITR ${pitr ? 'on' : 'off (archive_mode off)'}`,
    );
  }

  if (!parity) add('Parity (CSV vs DB) and spot checks', 'pending', 'nothing ingested yet');
  else
    add(
      'Parity (CSV vs DB) and spot checks',
      parity.ok ? 'done' : 'failed',
      `${parity.files.length} run(s), ${parity.totals.csvDataLines} CSV data line(s), ${parity.totals.dbSamples} DB row(s), gap ${parity.totals.gap}, ${parity.totals.mismatches} mismatch(es)`,
    );

  return {
    target: describeTarget(target),
    at: new Date().toISOString(),
    ok: items.every((i) => i.status !== 'failed'),
    items,
    prechecks,
    parity,
    backup: backup
      ? { path: backup.path, bytes: backup.bytes, entries: backup.entries.length, sha256: backup.sha256 }
      : null,
  };
}

const MARK: Record<ItemStatus, string> = { done: '[x]', pending: '[ ]', warn: '[~]', failed: '[!]' };

export function formatRunbook(report: RunbookReport): string {
  const lines = [`Runbook for ${report.target} at ${report.at}: ${report.ok ? 'OK' : 'NEEDS ATTENTION'}`];
  lines.push(
    ...formatTable(
      ['', 'step', 'detail'],
      report.items.map((i) => [MARK[i.status], i.item, i.detail]),
    ),
  );
  lines.push(
    '',
    'Pre-checks:',
    ...formatTable(
      ['check', 'status', 'detail'],
      report.prechecks.items.map((i) => [i.name, i.status, i.detail]),
    ),
  );
  return lines.join('\n');
}
