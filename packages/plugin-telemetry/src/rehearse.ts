// A dress rehearsal of the ingest on the real database: the schema (if missing) and every pending file's
// ingest run inside one transaction that is rolled back, so the report says what `up` would insert and
// reject per file, from the real constraints, and nothing stays (sequence numbers aside).
import type { Knex } from 'knex';
import { withConnection } from './connection.js';
import { readConfigFile } from './config-import.js';
import { dualWriteFiles, tableExists } from './db-state.js';
import { fileRows, planFiles, type FilePlan } from './file-plan.js';
import { applyPlans } from './ingest-run.js';
import { createTables } from './migrations/001_schema.js';
import type { TelemetryPluginOptions } from './options.js';
import { TABLES } from './schema.js';
import type { TelemetryTarget } from './target.js';

export interface RehearsalFile {
  file: string;
  /** What the plan says: new, grow, copy, conflict, held (a line still being written), up-to-date … */
  plan: FilePlan['kind'];
  dataLines: number;
  inserted: number;
  rejected: number;
  /** The reasons of the rejected lines, with their line numbers (up to 20 per file). */
  rejects: { line: number; reason: string }[];
  note?: string;
}

export interface RehearsalReport {
  ok: boolean;
  rolledBack: true;
  schemaCreated: boolean;
  config: { profile: string; hash: string; newVersion: boolean } | null;
  files: RehearsalFile[];
  totals: { files: number; inserted: number; rejected: number; conflicts: number };
  error?: string;
}

class Rollback extends Error {}

export async function rehearse(
  target: TelemetryTarget,
  options: Pick<TelemetryPluginOptions, 'timezone' | 'aliases' | 'closedAfterMs' | 'blobBytes'> = {},
): Promise<RehearsalReport> {
  const report: RehearsalReport = {
    ok: true,
    rolledBack: true,
    schemaCreated: false,
    config: null,
    files: [],
    totals: { files: 0, inserted: 0, rejected: 0, conflicts: 0 },
  };
  await target.knex
    .transaction(async (trx: Knex.Transaction) => {
      if (!(await tableExists(trx, TABLES.ingestedFiles))) {
        await createTables(trx);
        report.schemaCreated = true;
      }
      const config = await readConfigFile(target.configPath).catch((e: Error) => {
        report.ok = false;
        report.error = e.message;
        return null;
      });
      if (config) {
        const known = await trx(TABLES.configProfiles)
          .where({ profile_name: config.profileName, content_hash: config.hash })
          .first('id');
        report.config = { profile: config.profileName, hash: config.hash, newVersion: !known };
      }
      const plans = await planFiles(target.logsDir, await fileRows(trx), {
        live: await dualWriteFiles(trx),
        ...(options.closedAfterMs === undefined ? {} : { closedAfterMs: options.closedAfterMs }),
      });
      const byFile = new Map<string, RehearsalFile>();
      for (const p of plans) {
        const entry: RehearsalFile = {
          file: p.file,
          plan: p.kind,
          dataLines: 0,
          inserted: 0,
          rejected: 0,
          rejects: [],
        };
        if (p.kind === 'conflict') entry.note = p.reason;
        if (p.kind === 'copy') entry.note = `a copy of "${p.of.path}"`;
        byFile.set(p.file, entry);
        report.files.push(entry);
      }
      try {
        const outcome = await withConnection(trx, (conn) =>
          applyPlans(conn, plans, {
            logsDir: target.logsDir,
            timezone: options.timezone ?? 'UTC',
            aliases: options.aliases,
            blobBytes: options.blobBytes,
            onFile: (r) =>
              Object.assign(byFile.get(r.file)!, {
                dataLines: r.dataLines,
                inserted: r.inserted,
                rejected: r.rejected,
              }),
          }),
        );
        report.totals.conflicts = outcome.conflicts.length;
        // Only the rows this transaction wrote (a grown file's earlier rejects are not part of the rehearsal).
        const rejects = await trx(TABLES.rejectedRows)
          .whereRaw('xmin = pg_current_xact_id()::xid')
          .orderBy(['file', 'line_no'])
          .select<{ file: string; line_no: number; reason: string }[]>('file', 'line_no', 'reason');
        for (const r of rejects) {
          const entry = byFile.get(r.file);
          if (entry && entry.rejects.length < 20 && entry.rejected > 0)
            entry.rejects.push({ line: r.line_no, reason: r.reason });
        }
      } catch (error) {
        // An undecodable file in one transaction fails the whole rehearsal: named, like the step would.
        report.ok = false;
        report.error = (error as Error).message;
      }
      report.totals.files = report.files.filter((f) => f.inserted + f.rejected > 0).length;
      report.totals.inserted = report.files.reduce((n, f) => n + f.inserted, 0);
      report.totals.rejected = report.files.reduce((n, f) => n + f.rejected, 0);
      throw new Rollback('rehearsal: rolled back');
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return report;
}
