// The ingest of many files inside the step's transaction (commit: 'step'): the whole step is all-or-nothing
// anyway, so the files share one claim statement, ONE `COPY run_samples` streamed file after file (each row
// carries its file's run_id), one COPY of rejected rows and one closing update. Per-file COPY start/finish
// and its round trips cost more than the parsing on a million rows in 50 files. Checks are the same as a
// single file's: per file data lines == accepted + rejected, the hash of what was streamed == the claimed
// hash; overall rows COPY reports == rows parsed.
import { TidemarkError } from '@tidemark/core';
import { join } from 'node:path';
import type { Conn } from './connection.js';
import { readLines, type ReadSummary } from './csv-lines.js';
import type { FileIngestResult, IngestFileInput } from './ingest-file.js';
import { RejectSpool, REJECT_COLUMNS } from './reject-spool.js';
import type { HeaderMapping } from './header-map.js';
import { RowParser, type ParseCounts } from './row-parser.js';
import { COPY_COLUMNS, TABLES } from './schema.js';

const PLUGIN = 'plugin-telemetry';

export type BatchFile = Pick<IngestFileInput, 'file' | 'sha256' | 'bytes'>;

export interface BatchOptions extends Omit<IngestFileInput, 'file' | 'sha256' | 'bytes'> {
  /** Called once per ingested file, in order, after it was read and counted. */
  onFile?(result: FileIngestResult): void;
}

export async function ingestBatch(conn: Conn, files: readonly BatchFile[], options: BatchOptions): Promise<FileIngestResult[]> {
  const t0 = performance.now();
  if (files.length === 0) return [];
  const claimed = await conn.query<{ file_id: number; run_id: number; path: string }>(
    `WITH f AS (INSERT INTO ${TABLES.ingestedFiles} (path, content_hash, size_bytes)
                SELECT path, content_hash, size_bytes FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS u(path, content_hash, size_bytes, n) ORDER BY n
                ON CONFLICT (content_hash) DO NOTHING RETURNING id, path),
          r AS (INSERT INTO ${TABLES.runs} (status, source, source_file) SELECT 'ingesting', 'csv', path FROM f ORDER BY id RETURNING id, source_file)
     SELECT f.id AS file_id, r.id AS run_id, f.path, set_config('timezone', $4, true) AS tz FROM f JOIN r ON r.source_file = f.path ORDER BY f.id`,
    [files.map((f) => f.file), files.map((f) => f.sha256), files.map((f) => f.bytes), options.timezone],
  );
  const byPath = new Map(claimed.rows.map((r) => [r.path, { fileId: Number(r.file_id), runId: Number(r.run_id) }]));
  const todo = files.filter((f) => byPath.has(f.file));
  const spool = new RejectSpool(0, '');
  // Per file only what the closing update needs: a parser keeps a COPY buffer, and a history may hold
  // thousands of files.
  const done: { input: BatchFile; fileId: number; runId: number; counts: ParseCounts; header: HeaderMapping | null; headerText: string | null }[] = [];
  try {
    async function* copyText(): AsyncGenerator<Buffer> {
      for (const input of todo) {
        const { fileId, runId } = byPath.get(input.file)!;
        const fail = (message: string) => new TidemarkError('STEP_FAILED', `file "${input.file}": ${message}`, { plugin: PLUGIN });
        spool.setFile(fileId, input.file);
        const parser = new RowParser({ runId, aliases: options.aliases, onReject: (row) => spool.add(row) });
        const lines = readLines(join(options.logsDir, input.file), parser);
        let summary: ReadSummary | undefined;
        for (;;) {
          if (options.signal?.aborted) throw fail('aborted; nothing of this ingest was kept');
          const step = await lines.next();
          const text = parser.take();
          if (text.length > 0) yield text;
          if (step.done) {
            summary = step.value;
            break;
          }
        }
        if (summary.sha256 !== input.sha256) throw fail('the file changed while it was being ingested (content hash differs); rerun to ingest the new content');
        const c = parser.counts;
        if (c.dataLines !== c.accepted + c.rejected) throw fail(`count check failed: ${c.dataLines} data lines, ${c.accepted} parsed, ${c.rejected} rejected`);
        done.push({ input, fileId, runId, counts: { ...c }, header: parser.header, headerText: parser.headerText });
      }
    }
    const inserted = await conn.copyIn(TABLES.runSamples, COPY_COLUMNS, copyText(), { blobBytes: options.blobBytes });
    if (done.length !== todo.length) throw new TidemarkError('STEP_FAILED', `only ${done.length} of ${todo.length} files were read to their end`, { plugin: PLUGIN });
    const accepted = done.reduce((n, d) => n + d.counts.accepted, 0);
    const rejectedParsed = done.reduce((n, d) => n + d.counts.rejected, 0);
    const rejected = spool.count > 0 ? await conn.copyIn(TABLES.rejectedRows, REJECT_COLUMNS, spool.drain(), { blobBytes: options.blobBytes }) : 0;
    if (inserted !== accepted || rejected !== rejectedParsed) {
      throw new TidemarkError('STEP_FAILED', `count check failed: ${accepted} rows parsed but ${inserted} inserted, ${rejectedParsed} rejected but ${rejected} rejected rows stored`, { plugin: PLUGIN });
    }
    const status = (d: (typeof done)[number]) => (d.counts.dataLines === 0 ? 'empty' : d.counts.rejected > 0 ? 'imported-with-rejects' : 'imported');
    await conn.query(
      `WITH u AS (SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[], $10::jsonb[], $11::jsonb[])
                    AS u(file_id, run_id, status, data_lines, inserted, rejected, blank_lines, null_cells, header, mapping, unmapped)),
            r AS (UPDATE ${TABLES.runs} SET status = u.status, started_at = (SELECT min(recorded_at) FROM ${TABLES.runSamples} s WHERE s.run_id = u.run_id) FROM u WHERE ${TABLES.runs}.id = u.run_id)
       UPDATE ${TABLES.ingestedFiles} SET run_id = u.run_id, data_lines = u.data_lines, inserted = u.inserted, rejected = u.rejected, blank_lines = u.blank_lines,
              null_cells = u.null_cells, header = u.header, mapping = u.mapping, unmapped_columns = u.unmapped FROM u WHERE ${TABLES.ingestedFiles}.id = u.file_id`,
      [
        done.map((d) => d.fileId),
        done.map((d) => d.runId),
        done.map(status),
        done.map((d) => d.counts.dataLines),
        done.map((d) => d.counts.accepted),
        done.map((d) => d.counts.rejected),
        done.map((d) => d.counts.blankLines),
        done.map((d) => d.counts.nullCells),
        done.map((d) => d.headerText),
        done.map((d) => JSON.stringify(d.header?.mapped ?? {})),
        done.map((d) => JSON.stringify(d.header?.unmapped ?? [])),
      ],
    );
    const durationMs = Math.round(performance.now() - t0);
    const results: FileIngestResult[] = [];
    for (const d of done) {
      await options.beforeCommit?.(d.input.file);
      const c = d.counts;
      const result: FileIngestResult = {
        file: d.input.file,
        sha256: d.input.sha256,
        status: 'ingested',
        fileId: d.fileId,
        runId: d.runId,
        dataLines: c.dataLines,
        inserted: c.accepted,
        rejected: c.rejected,
        blankLines: c.blankLines,
        nullCells: c.nullCells,
        unmapped: d.header?.unmapped ?? [],
        missing: d.header?.missing ?? [],
        durationMs,
      };
      options.onFile?.(result);
      results.push(result);
    }
    return results;
  } finally {
    await spool.dispose();
  }
}
