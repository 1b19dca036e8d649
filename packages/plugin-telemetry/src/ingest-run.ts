// Carries out a plan (see file-plan.ts) on one connection: new and grown files are ingested, byte-identical
// copies recorded as copies (no second run), changed prefixes recorded as conflicts (never ingested). Inside
// the step's transaction every file goes in one batch; otherwise each file is its own transaction, and a
// file that cannot be decoded fails alone while the others are ingested.
import type { Conn } from './connection.js';
import { isPending, type FilePlan } from './file-plan.js';
import { ingestBatch, type BatchFile, type BatchOptions } from './ingest-batch.js';
import { ingestFile, type FileIngestResult } from './ingest-file.js';
import { UndecodableError } from './line-reader.js';
import { TABLES } from './schema.js';

export interface ApplyOptions extends BatchOptions {
  onConflict?(file: string, reason: string): void;
  onCopy?(file: string, of: string): void;
}

export interface ApplyResult {
  results: FileIngestResult[];
  conflicts: { file: string; reason: string }[];
  copies: { file: string; of: string }[];
  /** Files that could not be decoded (commit per file): the others were ingested. */
  failed: { file: string; error: UndecodableError }[];
}

export async function applyPlans(conn: Conn, plans: readonly FilePlan[], options: ApplyOptions): Promise<ApplyResult> {
  const out: ApplyResult = { results: [], conflicts: [], copies: [], failed: [] };
  const work: BatchFile[] = [];
  // Copies of files ingested in this same call: recorded once their original has its row.
  const later: Extract<FilePlan, { kind: 'copy' }>[] = [];
  const copiesOfNew = async () => {
    for (const plan of later) {
      const of = await conn.query<{ id: number }>(`SELECT id FROM ${TABLES.ingestedFiles} WHERE path = $1`, [
        plan.of.path,
      ]);
      if (of.rows[0]) await recordCopy(conn, plan, Number(of.rows[0].id), out, options);
    }
  };
  for (const plan of plans.filter(isPending)) {
    if (plan.kind === 'conflict') {
      const res = await conn.query(
        `UPDATE ${TABLES.ingestedFiles} SET conflict = $2 WHERE id = $1 AND conflict IS NULL`,
        [plan.row.id, plan.reason],
      );
      if (res.rowCount > 0) {
        out.conflicts.push({ file: plan.file, reason: plan.reason });
        options.onConflict?.(plan.file, plan.reason);
      }
    } else if (plan.kind === 'copy') {
      if (plan.of.id === null) later.push(plan);
      else await recordCopy(conn, plan, plan.of.id, out, options);
    } else work.push(plan);
  }
  if (conn.nested) {
    out.results.push(...(await ingestBatch(conn, work, options)));
    await copiesOfNew();
    return out;
  }
  for (const plan of work) {
    if (options.signal?.aborted) throw new Error(`aborted; the rerun resumes at "${plan.file}"`);
    try {
      const result = await ingestFile(conn, { ...options, plan }, options.skipLocked ? { skipLocked: true } : {});
      out.results.push(result);
    } catch (error) {
      if (!(error instanceof UndecodableError)) throw error;
      out.failed.push({ file: plan.file, error });
    }
  }
  await copiesOfNew();
  return out;
}

async function recordCopy(
  conn: Conn,
  plan: Extract<FilePlan, { kind: 'copy' }>,
  ofId: number,
  out: ApplyResult,
  options: ApplyOptions,
): Promise<void> {
  const res = await conn.query(
    `INSERT INTO ${TABLES.ingestedFiles} (path, content_hash, size_bytes, copy_of, data_lines, inserted, rejected, blank_lines, null_cells)
     VALUES ($1, $2, $3, $4, 0, 0, 0, 0, 0) ON CONFLICT (path) DO NOTHING`,
    [plan.file, plan.sha256, plan.size, ofId],
  );
  if (res.rowCount > 0) {
    out.copies.push({ file: plan.file, of: plan.of.path });
    options.onCopy?.(plan.file, plan.of.path);
  }
}
