// One CSV file -> one run, in one transaction: the ingested_files row (keyed by content hash), the run, its
// samples by COPY, its rejected rows by COPY, and the count check. A crash anywhere rolls all of it back, so a
// file is either wholly in the database or not at all, and a rerun skips exactly the files already there.
import { TidemarkError } from '@tidemark/core';
import { join } from 'node:path';
import { inTransaction, type Conn } from './connection.js';
import { readLines, type ReadSummary } from './csv-lines.js';
import type { MappedColumn } from './header-map.js';
import { RejectSpool, REJECT_COLUMNS } from './reject-spool.js';
import { RowParser } from './row-parser.js';
import { COPY_COLUMNS, TABLES } from './schema.js';

export interface IngestFileInput {
  logsDir: string;
  /** Path relative to logsDir, with forward slashes. */
  file: string;
  sha256: string;
  bytes: number;
  /** Zone for timestamps without an offset (IANA name or offset). */
  timezone: string;
  aliases?: Partial<Record<MappedColumn, readonly string[]>>;
  /** Test hook: called after the samples COPY and before the commit. */
  beforeCommit?: (file: string) => Promise<void> | void;
  signal?: AbortSignal;
  /** PGlite COPY blob size. */
  blobBytes?: number;
}

export interface FileIngestResult {
  file: string;
  sha256: string;
  status: 'ingested' | 'already-ingested';
  fileId: number | null;
  runId: number | null;
  dataLines: number;
  inserted: number;
  rejected: number;
  blankLines: number;
  nullCells: number;
  unmapped: string[];
  missing: string[];
  durationMs: number;
}

const PLUGIN = 'plugin-telemetry';

export async function ingestFile(conn: Conn, input: IngestFileInput): Promise<FileIngestResult> {
  const t0 = performance.now();
  const fail = (message: string, cause?: unknown) =>
    new TidemarkError('STEP_FAILED', `file "${input.file}": ${message}`, { plugin: PLUGIN, ...(cause === undefined ? {} : { cause }) });
  return inTransaction(conn, async () => {
    // One round trip: the zone for this transaction, the claim on the content hash, and the run.
    const claimed = await conn.query<{ file_id: number; run_id: number }>(
      `WITH f AS (INSERT INTO ${TABLES.ingestedFiles} (path, content_hash, size_bytes) VALUES ($1, $2, $3) ON CONFLICT (content_hash) DO NOTHING RETURNING id),
            r AS (INSERT INTO ${TABLES.runs} (status, source, source_file) SELECT 'ingesting', 'csv', $1 FROM f RETURNING id)
       SELECT f.id AS file_id, r.id AS run_id, set_config('timezone', $4, true) AS tz FROM f, r`,
      [input.file, input.sha256, input.bytes, input.timezone],
    );
    const fileId = claimed.rows[0]?.file_id;
    if (fileId === undefined) {
      return { file: input.file, sha256: input.sha256, status: 'already-ingested', fileId: null, runId: null, dataLines: 0, inserted: 0, rejected: 0, blankLines: 0, nullCells: 0, unmapped: [], missing: [], durationMs: 0 } as FileIngestResult;
    }
    const runId = Number(claimed.rows[0]!.run_id);
    const spool = new RejectSpool(fileId, input.file);
    try {
      const parser = new RowParser({ runId, aliases: input.aliases, onReject: (row) => spool.add(row) });
      const lines = readLines(join(input.logsDir, input.file), parser);
      let summary: ReadSummary | undefined;
      const signal = input.signal;
      async function* copyText(): AsyncGenerator<Buffer> {
        for (;;) {
          if (signal?.aborted) throw fail('aborted; nothing of this file was kept');
          const step = await lines.next();
          const text = parser.take();
          if (text.length > 0) yield text;
          if (step.done) {
            summary = step.value;
            return;
          }
        }
      }
      const inserted = await conn.copyIn(TABLES.runSamples, COPY_COLUMNS, copyText(), { blobBytes: input.blobBytes });
      if (!summary) throw fail('the file was not read to its end');
      if (summary.sha256 !== input.sha256) throw fail('the file changed while it was being ingested (content hash differs); rerun to ingest the new content');
      const rejected = spool.count > 0 ? await conn.copyIn(TABLES.rejectedRows, REJECT_COLUMNS, spool.drain(), { blobBytes: input.blobBytes }) : 0;
      const c = parser.counts;
      if (inserted !== c.accepted || rejected !== c.rejected || c.dataLines !== c.accepted + c.rejected) {
        throw fail(`count check failed: ${c.dataLines} data lines, ${c.accepted} parsed, ${inserted} inserted, ${c.rejected} rejected, ${rejected} rejected rows stored`);
      }
      const header = parser.header;
      const status = c.dataLines === 0 ? 'empty' : c.rejected > 0 ? 'imported-with-rejects' : 'imported';
      await conn.query(
        `WITH r AS (UPDATE ${TABLES.runs} SET status = $11, started_at = (SELECT min(recorded_at) FROM ${TABLES.runSamples} WHERE run_id = $2) WHERE id = $2)
         UPDATE ${TABLES.ingestedFiles} SET run_id = $2, data_lines = $3, inserted = $4, rejected = $5, blank_lines = $6, null_cells = $7, header = $8, mapping = $9::jsonb, unmapped_columns = $10::jsonb WHERE id = $1`,
        [fileId, runId, c.dataLines, inserted, rejected, c.blankLines, c.nullCells, parser.headerText, JSON.stringify(header?.mapped ?? {}), JSON.stringify(header?.unmapped ?? []), status],
      );
      await input.beforeCommit?.(input.file);
      return {
        file: input.file,
        sha256: input.sha256,
        status: 'ingested',
        fileId,
        runId,
        dataLines: c.dataLines,
        inserted,
        rejected,
        blankLines: c.blankLines,
        nullCells: c.nullCells,
        unmapped: header?.unmapped ?? [],
        missing: header?.missing ?? [],
        durationMs: Math.round(performance.now() - t0),
      } satisfies FileIngestResult;
    } finally {
      await spool.dispose();
    }
  });
}
