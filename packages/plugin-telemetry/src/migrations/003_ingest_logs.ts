// Every CSV under logs/ -> a run with its samples, streamed with COPY, exactly once per content hash. Each
// file is its own transaction, so the resume point after a crash is simply "files whose hash is not recorded".
import { defineMigration, type Migration, type ValidationIssue } from '@tidemark/core';
import { withConnection } from '../connection.js';
import { hashFile } from '../csv-lines.js';
import { dualWriteFiles, ingestedHashes, tableExists } from '../db-state.js';
import { ingestBatch } from '../ingest-batch.js';
import { ingestFile, type FileIngestResult } from '../ingest-file.js';
import { listLogFiles } from '../inventory.js';
import type { TelemetryPluginOptions } from '../options.js';
import { TABLES } from '../schema.js';
import type { TelemetryTarget } from '../target.js';
import { db } from '../guards/step-transaction.js';
import { join } from 'node:path';

export function ingestLogsMigration(options: TelemetryPluginOptions = {}): Migration<TelemetryTarget> {
  return defineMigration<TelemetryTarget>({
    id: '003_ingest_logs',
    title: 'Ingest every CSV under logs/ into runs and run_samples (COPY, exactly once per file)',
    requires: ['001_schema'],
    async up(ctx) {
      const { target } = ctx;
      const files = await listLogFiles(target.logsDir);
      const done = await ingestedHashes(db(target));
      const live = await dualWriteFiles(db(target));
      const results: FileIngestResult[] = [];
      const report = (result: FileIngestResult, index: number) => {
        results.push(result);
        if (result.status === 'already-ingested') return;
        if (result.rejected > 0) ctx.warn(`"${result.file}": ${result.rejected} malformed row(s) kept in rejected_rows`, { file: result.file, rejected: result.rejected });
        if (result.unmapped.length > 0) ctx.warn(`"${result.file}": unknown column(s) not imported: ${result.unmapped.join(', ')}`, { file: result.file });
        ctx.log(`ingested "${result.file}": ${result.inserted} sample(s), ${result.rejected} rejected`, { ...result });
        ctx.progress(index, files.length, result.file);
      };
      const pending: { file: string; sha256: string; bytes: number; index: number }[] = [];
      for (const [i, f] of files.entries()) {
        if (ctx.signal.aborted) throw new Error(`aborted after ${results.length} file(s); rerun resumes at "${f.file}"`);
        if (live.has(f.file)) {
          ctx.log(`skipped "${f.file}": mirrored live by TelemetryWriter`);
          continue;
        }
        const { sha256, bytes } = await hashFile(join(target.logsDir, f.file));
        if (done.has(sha256)) continue;
        done.add(sha256);
        pending.push({ file: f.file, sha256, bytes, index: i + 1 });
      }
      const common = {
        logsDir: target.logsDir,
        timezone: options.timezone ?? 'UTC',
        aliases: options.aliases,
        beforeCommit: options.beforeFileCommit,
        signal: ctx.signal,
        blobBytes: options.blobBytes,
      };
      const indexOf = new Map(pending.map((p) => [p.file, p.index]));
      await withConnection(db(target), async (conn) => {
        // Inside the step's transaction: one COPY for every file. commit: 'file': one transaction per file.
        if (conn.nested) {
          await ingestBatch(conn, pending, { ...common, onFile: (r) => report(r, indexOf.get(r.file)!) });
          return;
        }
        for (const p of pending) {
          if (ctx.signal.aborted) throw new Error(`aborted after ${results.length} file(s); rerun resumes at "${p.file}"`);
          report(await ingestFile(conn, { ...common, file: p.file, sha256: p.sha256, bytes: p.bytes }), p.index);
        }
      });
    },
    async down({ target }) {
      if (!(await tableExists(db(target), TABLES.runs))) return;
      await db(target).transaction(async (trx) => {
        await trx(TABLES.rejectedRows).delete();
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
            (SELECT count(*) FROM ${TABLES.runSamples} s WHERE s.run_id = f.run_id) AS samples,
            (SELECT count(*) FROM ${TABLES.rejectedRows} r WHERE r.file_id = f.id) AS rejects
       FROM ${TABLES.ingestedFiles} f ORDER BY f.path`,
  );
  for (const r of rows.rows) {
    if (r.data_lines !== r.inserted + r.rejected) issues.push({ where: r.path, message: `${r.data_lines} data lines but ${r.inserted} inserted + ${r.rejected} rejected` });
    if (Number(r.samples) !== r.inserted) issues.push({ where: r.path, message: `${r.inserted} recorded as inserted but run_samples holds ${r.samples}` });
    if (Number(r.rejects) !== r.rejected) issues.push({ where: r.path, message: `${r.rejected} recorded as rejected but rejected_rows holds ${r.rejects}` });
  }
  const done = await ingestedHashes(knex);
  const live = await dualWriteFiles(knex);
  for (const f of await listLogFiles(target.logsDir)) {
    if (live.has(f.file)) continue;
    const { sha256 } = await hashFile(join(target.logsDir, f.file));
    if (!done.has(sha256)) issues.push({ where: f.file, message: 'not ingested (its content hash is not in ingested_files)' });
  }
  return issues;
}
