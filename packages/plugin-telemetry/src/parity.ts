// CSV vs database, per file or run: counts (data lines == inserted + rejected), the gap, and spot checks that
// re-parse evenly spaced CSV lines and compare every value with the stored row (timestamps compared by the
// database itself, in the ingest time zone). Table or JSON.
import type { Knex } from 'knex';
import { join } from 'node:path';
import { inTransaction, withConnection } from './connection.js';
import { readLines, type ReadSummary } from './csv-lines.js';
import { tableExists } from './db-state.js';
import type { MappedColumn } from './header-map.js';
import { RowParser, type ParsedSample } from './row-parser.js';
import { SAMPLE_COLUMNS, TABLES } from './schema.js';
import type { TelemetryTarget } from './target.js';
import { isAbsolute } from 'node:path';
import { stat } from 'node:fs/promises';

export interface ParityOptions {
  /** Only these files (paths relative to logsDir) ... */
  files?: readonly string[];
  /** ... or only these run ids. Default: every run with a source file. */
  runIds?: readonly number[];
  /** Spot-checked lines per file. Default 5 (plus the last line). */
  spotChecks?: number;
  timezone?: string;
  aliases?: Partial<Record<MappedColumn, readonly string[]>>;
}

export interface FileParity {
  file: string;
  runId: number;
  source: 'csv' | 'dual-write';
  csvDataLines: number;
  csvValid: number;
  csvRejected: number;
  dbSamples: number;
  dbRejected: number;
  /** CSV valid rows missing from the database (dual-write drops), or negative when the DB holds more. */
  gap: number;
  changedSinceIngest: boolean;
  /** Bytes the CSV holds after the ingested offset (a file still growing: not yet ingested, or held back). */
  pendingBytes: number;
  spotChecked: number;
  mismatches: { line: number; field: string; csv: string | null; db: string | null }[];
  ok: boolean;
  note?: string;
}

export interface ParityReport {
  ok: boolean;
  checkedAt: string;
  files: FileParity[];
  totals: { csvDataLines: number; dbSamples: number; dbRejected: number; gap: number; mismatches: number };
}

interface RunRow {
  id: number;
  source: 'csv' | 'dual-write';
  source_file: string;
  content_hash: string | null;
  rejected: number | null;
  size_bytes: string | null;
  conflict: string | null;
}

export async function parityReport(target: TelemetryTarget, options: ParityOptions = {}): Promise<ParityReport> {
  const report: ParityReport = {
    ok: true,
    checkedAt: new Date().toISOString(),
    files: [],
    totals: { csvDataLines: 0, dbSamples: 0, dbRejected: 0, gap: 0, mismatches: 0 },
  };
  if (!(await tableExists(target.knex, TABLES.runs))) return { ...report, ok: false };
  let q = target
    .knex(`${TABLES.runs} as r`)
    .leftJoin(`${TABLES.ingestedFiles} as f`, 'f.run_id', 'r.id')
    .whereNotNull('r.source_file')
    .orderBy('r.id')
    .select<RunRow[]>(
      'r.id',
      'r.source',
      'r.source_file',
      'f.content_hash',
      'f.rejected',
      'f.size_bytes',
      'f.conflict',
    );
  if (options.files) q = q.whereIn('r.source_file', [...options.files]);
  if (options.runIds) q = q.whereIn('r.id', [...options.runIds]);
  for (const run of await q) {
    const entry = await fileParity(target, run, options);
    report.files.push(entry);
    report.ok &&= entry.ok;
    report.totals.csvDataLines += entry.csvDataLines;
    report.totals.dbSamples += entry.dbSamples;
    report.totals.dbRejected += entry.dbRejected;
    report.totals.gap += entry.gap;
    report.totals.mismatches += entry.mismatches.length;
  }
  return report;
}

async function fileParity(target: TelemetryTarget, run: RunRow, options: ParityOptions): Promise<FileParity> {
  const { knex } = target;
  const dbSamples = Number(
    (await knex(TABLES.runSamples).where({ run_id: run.id }).count<{ n: string }[]>('* as n'))[0]!.n,
  );
  const dbRejected =
    run.source === 'csv'
      ? Number(
          (
            await knex(`${TABLES.rejectedRows} as x`)
              .join(`${TABLES.ingestedFiles} as f`, 'f.id', 'x.file_id')
              .where('f.run_id', run.id)
              .count<{ n: string }[]>('* as n')
          )[0]!.n,
        )
      : 0;
  const path = isAbsolute(run.source_file) ? run.source_file : join(target.logsDir, run.source_file);
  const stride = Math.max(1, Math.floor(dbSamples / Math.max(1, options.spotChecks ?? 5)));
  const picked: ParsedSample[] = [];
  let lastSample: ParsedSample | null = null;
  const parser = new RowParser({
    runId: run.id,
    aliases: options.aliases,
    onReject: () => undefined,
    onSample: (s) => {
      lastSample = s;
      if (parser.counts.accepted % stride === 0) picked.push(s);
    },
  });
  let summary: ReadSummary;
  try {
    // A file that keeps growing is compared up to the offset ingested so far (what the database should hold).
    const lines = readLines(path, parser, {
      name: run.source_file,
      ...(run.size_bytes === null ? {} : { end: Number(run.size_bytes) }),
    });
    for (;;) {
      const step = await lines.next();
      parser.take();
      if (step.done) {
        summary = step.value;
        break;
      }
    }
  } catch (error) {
    return {
      file: run.source_file,
      runId: run.id,
      source: run.source,
      csvDataLines: 0,
      csvValid: 0,
      csvRejected: 0,
      dbSamples,
      dbRejected,
      gap: -dbSamples,
      changedSinceIngest: true,
      pendingBytes: 0,
      spotChecked: 0,
      mismatches: [],
      ok: false,
      note: `cannot read the CSV: ${(error as Error).message}`,
    };
  }
  if (lastSample && !picked.includes(lastSample)) picked.push(lastSample);
  const c = parser.counts;
  const size = await stat(path).then(
    (st) => st.size,
    () => 0,
  );
  const pendingBytes = run.size_bytes === null ? 0 : Math.max(0, size - Number(run.size_bytes));
  const changed = run.conflict !== null || (run.content_hash !== null && run.content_hash !== summary.sha256);
  const mismatches = await spotCheck(knex, run.id, picked, options.timezone ?? 'UTC');
  const gap = c.accepted - dbSamples;
  const countsOk = run.source === 'csv' ? c.dataLines === dbSamples + dbRejected && gap === 0 : gap === 0;
  return {
    file: run.source_file,
    runId: run.id,
    source: run.source,
    csvDataLines: c.dataLines,
    csvValid: c.accepted,
    csvRejected: c.rejected,
    dbSamples,
    dbRejected,
    gap,
    changedSinceIngest: changed,
    pendingBytes,
    spotChecked: picked.length,
    mismatches,
    ok: countsOk && mismatches.length === 0 && !changed,
    ...(run.conflict !== null
      ? { note: `conflict: the CSV was ${run.conflict}` }
      : changed
        ? { note: 'the CSV changed since it was ingested (content hash differs)' }
        : {}),
  };
}

async function spotCheck(
  knex: Knex,
  runId: number,
  picked: ParsedSample[],
  timezone: string,
): Promise<FileParity['mismatches']> {
  if (picked.length === 0) return [];
  const mismatches: FileParity['mismatches'] = [];
  await withConnection(knex, (conn) =>
    inTransaction(conn, async () => {
      await conn.query(`SELECT set_config('timezone', $1, true)`, [timezone]);
      for (const s of picked) {
        const res = await conn.query<Record<string, unknown>>(
          `SELECT (recorded_at = $3::timestamptz) AS ts_ok, recorded_at::text AS ts, ${SAMPLE_COLUMNS.join(', ')} FROM ${TABLES.runSamples} WHERE run_id = $1 AND line_no = $2`,
          [runId, s.lineNo, s.recordedAt],
        );
        const row = res.rows[0];
        if (!row) {
          mismatches.push({ line: s.lineNo, field: '(row)', csv: 'present', db: null });
          continue;
        }
        if (row.ts_ok !== true)
          mismatches.push({ line: s.lineNo, field: 'recorded_at', csv: s.recordedAt, db: String(row.ts) });
        for (const column of SAMPLE_COLUMNS) {
          const csv = s.values[column];
          const db = row[column] === null || row[column] === undefined ? null : Number(row[column]);
          if ((csv === null) !== (db === null) || (csv !== null && Number(csv) !== db))
            mismatches.push({ line: s.lineNo, field: column, csv, db: db === null ? null : String(db) });
        }
      }
    }),
  );
  return mismatches;
}

export function formatParity(report: ParityReport): string {
  const head = [
    'file',
    'run',
    'source',
    'csv lines',
    'valid',
    'db rows',
    'rejected',
    'gap',
    'pending B',
    'spot',
    'result',
  ];
  const rows = report.files.map((f) => [
    f.file,
    String(f.runId),
    f.source,
    String(f.csvDataLines),
    String(f.csvValid),
    String(f.dbSamples),
    String(f.dbRejected),
    String(f.gap),
    String(f.pendingBytes),
    `${f.spotChecked - new Set(f.mismatches.map((m) => m.line)).size}/${f.spotChecked}`,
    f.ok ? 'ok' : `MISMATCH${f.note ? ` (${f.note})` : ''}`,
  ]);
  const t = report.totals;
  rows.push([
    'total',
    '',
    '',
    String(t.csvDataLines),
    '',
    String(t.dbSamples),
    String(t.dbRejected),
    String(t.gap),
    '',
    '',
    report.ok ? 'ok' : 'MISMATCH',
  ]);
  const lines = [...formatTable(head, rows)];
  for (const f of report.files)
    for (const m of f.mismatches.slice(0, 10))
      lines.push(`  ${f.file}:${m.line} ${m.field}: csv=${m.csv ?? 'NULL'} db=${m.db ?? 'NULL'}`);
  return lines.join('\n');
}

export function formatTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
