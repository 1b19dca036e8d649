// Every CSV under logs/ -> a run with its samples, streamed with COPY, exactly once per line: a file is its
// path plus the hash of the prefix already ingested, so a file the logger still appends to gets only its new
// complete lines (same run), and a rewritten or truncated file is reported as a conflict, never a second run.
import { TidemarkError, defineMigration, type Migration, type ValidationIssue } from '@tidemark/core';
import { withConnection } from '../connection.js';
import { dualWriteFiles, tableExists } from '../db-state.js';
import { fileRows, planFiles } from '../file-plan.js';
import { applyPlans } from '../ingest-run.js';
import type { FileIngestResult } from '../ingest-file.js';
import { beforeFileCommitOf } from '../internal-hooks.js';
import type { TelemetryPluginOptions } from '../options.js';
import { TABLES } from '../schema.js';
import type { TelemetryTarget } from '../target.js';
import { db } from '../guards/step-transaction.js';

export function ingestLogsMigration(options: TelemetryPluginOptions = {}): Migration<TelemetryTarget> {
  return defineMigration<TelemetryTarget>({
    id: '003_ingest_logs',
    title: 'Ingest every CSV under logs/ into runs and run_samples (COPY, exactly once per line, growing files resumed)',
    requires: ['001_schema'],
    async up(ctx) {
      const { target } = ctx;
      const knex = db(target);
      const rows = await fileRows(knex);
      const live = await dualWriteFiles(knex);
      const plans = await planFiles(target.logsDir, rows, { live, ...(options.closedAfterMs === undefined ? {} : { closedAfterMs: options.closedAfterMs }) });
      for (const p of plans) if (p.kind === 'live') ctx.log(`skipped "${p.file}": mirrored live by TelemetryWriter`);
      let index = 0;
      const report = (result: FileIngestResult) => {
        index += 1;
        if (result.status === 'already-ingested') return;
        if (result.rejected > 0) ctx.warn(`"${result.file}": ${result.rejected} malformed row(s) kept in rejected_rows`, { file: result.file, rejected: result.rejected });
        if (result.unmapped.length > 0) ctx.warn(`"${result.file}": unknown column(s) not imported: ${result.unmapped.join(', ')}`, { file: result.file });
        const held = result.held > 0 ? `; ${result.held} byte(s) of a last line still being written held back` : '';
        ctx.log(`${result.status === 'grown' ? 'grown' : 'ingested'} "${result.file}": ${result.inserted} sample(s), ${result.rejected} rejected${held}`, { ...result });
        ctx.progress(index, plans.length, result.file);
      };
      const outcome = await withConnection(knex, (conn) =>
        applyPlans(conn, plans, {
          logsDir: target.logsDir,
          timezone: options.timezone ?? 'UTC',
          aliases: options.aliases,
          beforeCommit: beforeFileCommitOf(options),
          signal: ctx.signal,
          blobBytes: options.blobBytes,
          ...(options.firstLoadBytes === undefined ? {} : { firstLoadBytes: options.firstLoadBytes }),
          onFile: report,
          onConflict: (file, reason) => ctx.warn(`conflict: "${file}" ${reason}; not ingested again (the rows ingested from it stay)`, { file, reason }),
          onCopy: (file, of) => ctx.log(`"${file}" is a byte-identical copy of "${of}": not ingested again`, { file, of }),
        }),
      );
      if (outcome.failed.length > 0) {
        const list = outcome.failed.map((f) => f.error.message).join('\n  - ');
        throw new TidemarkError('STEP_FAILED', `${outcome.failed.length} file(s) could not be decoded and were not ingested (the other files were):\n  - ${list}`, { plugin: 'plugin-telemetry' });
      }
    },
    async down({ target }) {
      if (!(await tableExists(db(target), TABLES.runs))) return;
      await db(target).transaction(async (trx) => {
        await trx(TABLES.rejectedRows).delete();
        await trx(TABLES.loggerEvents).whereNotNull('file_id').delete();
        await trx(TABLES.ingestedFiles).delete();
        await trx(TABLES.runs).where({ source: 'csv' }).delete();
      });
    },
    async validate({ target }) {
      return validateIngestion(target);
    },
  });
}

/** Per file: CSV data lines == inserted + rejected, and the tables hold exactly those counts. */
export async function validateIngestion(target: TelemetryTarget): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  const knex = db(target);
  const rows = await knex.raw<{ rows: { path: string; data_lines: number; inserted: number; rejected: number; samples: string; rejects: string }[] }>(
    `SELECT f.path, f.data_lines, f.inserted, f.rejected,
            CASE WHEN f.kind = 'events' THEN (SELECT count(*) FROM ${TABLES.loggerEvents} e WHERE e.file_id = f.id)
                 ELSE (SELECT count(*) FROM ${TABLES.runSamples} s WHERE s.run_id = f.run_id) END AS samples,
            (SELECT count(*) FROM ${TABLES.rejectedRows} r WHERE r.file_id = f.id) AS rejects
       FROM ${TABLES.ingestedFiles} f ORDER BY f.path`,
  );
  for (const r of rows.rows) {
    if (r.data_lines !== r.inserted + r.rejected) issues.push({ where: r.path, message: `${r.data_lines} data lines but ${r.inserted} inserted + ${r.rejected} rejected` });
    if (Number(r.samples) !== r.inserted) issues.push({ where: r.path, message: `${r.inserted} recorded as inserted but run_samples holds ${r.samples}` });
    if (Number(r.rejects) !== r.rejected) issues.push({ where: r.path, message: `${r.rejected} recorded as rejected but rejected_rows holds ${r.rejects}` });
  }
  const live = await dualWriteFiles(knex);
  for (const p of await planFiles(target.logsDir, await fileRows(knex), { live })) {
    if (p.kind === 'new' || p.kind === 'copy') issues.push({ where: p.file, message: 'not ingested (no ingested_files row for this path)' });
  }
  return issues;
}
