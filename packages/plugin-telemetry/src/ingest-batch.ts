// The ingest of files that are new or grew, on one connection: one claim statement (new files get their
// ingested_files row and run; grown files' rows are locked and re-checked), ONE `COPY run_samples` streamed
// file after file (each row carries its run id), one COPY of rejected rows and one closing update that moves
// each file's offset and prefix hash. Inside a transaction: the caller's (the step's, or one per file with
// commit: 'file' and in follow()). The offset moves in the same transaction as the rows, so a crash between
// the COPY and the update keeps neither: every line lands exactly once. Per file data lines == accepted +
// rejected; overall rows COPY reports == rows parsed.
import { TidemarkError } from '@tidemark/core';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Conn } from './connection.js';
import { EMPTY_SHA256, rememberPrefix, type FileKind, type FilePlan } from './file-plan.js';
import { readRange, type RangeSummary } from './line-reader.js';
import type { FileIngestResult, IngestFileInput } from './ingest-file.js';
import { RejectSpool, REJECT_COLUMNS } from './reject-spool.js';
import type { HeaderMapping } from './header-map.js';
import { RowParser, type ParseCounts, type RejectedRow } from './row-parser.js';
import { EVENT_COLUMNS, EventParser } from './event-parser.js';
import { deferConstraints } from './first-load.js';
import { COPY_COLUMNS, TABLES } from './schema.js';

const PLUGIN = 'plugin-telemetry';

export type BatchFile = Extract<FilePlan, { kind: 'new' | 'grow' }>;

export interface BatchOptions extends Omit<IngestFileInput, 'file' | 'plan'> {
  /** Called once per ingested file, in order, after it was read and counted. */
  onFile?(result: FileIngestResult): void;
  /** Skip (instead of wait for) a grown file whose row another session holds (follow()). */
  skipLocked?: boolean;
  /** Inside a step's transaction, an empty run_samples and at least this many bytes: keys built after the COPY. */
  firstLoadBytes?: number;
  /**
   * The transaction commits without waiting for its WAL flush (synchronous_commit = off, this transaction
   * only). follow(): a server crash may lose the last rounds, but rows and offsets together, so those lines
   * are read again from the offsets that stayed: nothing lost or doubled, and no fsync wait per round.
   */
  asyncCommit?: boolean;
}

const FIRST_LOAD_BYTES = 32 * 1024 * 1024;
const COALESCE_BYTES = 256 * 1024;

interface Claimed {
  input: BatchFile;
  fileId: number;
  /** null for an events file. */
  runId: number | null;
  grown: boolean;
}

export async function ingestBatch(
  conn: Conn,
  files: readonly BatchFile[],
  options: BatchOptions,
): Promise<FileIngestResult[]> {
  const kindOf = (f: BatchFile): FileKind => (f.kind === 'new' ? f.content : f.row.kind);
  const samples = files.filter((f) => kindOf(f) === 'samples');
  const events = files.filter((f) => kindOf(f) === 'events');
  return [
    ...(await ingestGroup(conn, samples, 'samples', options)),
    ...(await ingestGroup(conn, events, 'events', options)),
  ];
}

/** One kind of file: telemetry into runs + run_samples, or events CSVs into logger_events. */
async function ingestGroup(
  conn: Conn,
  files: readonly BatchFile[],
  content: FileKind,
  options: BatchOptions,
): Promise<FileIngestResult[]> {
  const t0 = performance.now();
  if (files.length === 0) return [];
  const fresh = files.filter((f) => f.kind === 'new');
  const grown = files.filter((f): f is Extract<BatchFile, { kind: 'grow' }> => f.kind === 'grow');
  const claimed = new Map<string, Claimed>();
  await conn.query(
    options.asyncCommit && !conn.nested
      ? `SELECT set_config('timezone', $1, true), set_config('synchronous_commit', 'off', true)`
      : `SELECT set_config('timezone', $1, true)`,
    [options.timezone],
  );
  if (fresh.length > 0) {
    const res =
      content === 'samples'
        ? await conn.query<{ file_id: number; run_id: number | null; path: string }>(
            `WITH f AS (INSERT INTO ${TABLES.ingestedFiles} (path, content_hash, size_bytes, lines, kind)
                        SELECT path, $2, 0, 0, 'samples' FROM unnest($1::text[]) WITH ORDINALITY AS u(path, n) ORDER BY n
                        ON CONFLICT (path) DO NOTHING RETURNING id, path),
                  r AS (INSERT INTO ${TABLES.runs} (status, source, source_file) SELECT 'ingesting', 'csv', path FROM f ORDER BY id RETURNING id, source_file)
             SELECT f.id AS file_id, r.id AS run_id, f.path FROM f JOIN r ON r.source_file = f.path ORDER BY f.id`,
            [fresh.map((f) => f.file), EMPTY_SHA256],
          )
        : await conn.query<{ file_id: number; run_id: number | null; path: string }>(
            `INSERT INTO ${TABLES.ingestedFiles} (path, content_hash, size_bytes, lines, kind)
             SELECT path, $2, 0, 0, 'events' FROM unnest($1::text[]) WITH ORDINALITY AS u(path, n) ORDER BY n
             ON CONFLICT (path) DO NOTHING RETURNING id AS file_id, NULL::int AS run_id, path`,
            [fresh.map((f) => f.file), EMPTY_SHA256],
          );
    const byPath = new Map(fresh.map((f) => [f.file, f]));
    for (const r of res.rows)
      claimed.set(r.path, {
        input: byPath.get(r.path)!,
        fileId: Number(r.file_id),
        runId: r.run_id === null ? null : Number(r.run_id),
        grown: false,
      });
  }
  if (grown.length > 0) {
    // Locked and re-checked: another session (follow, another up) may have moved the offset since the plan.
    const res = await conn.query<{ id: number; run_id: number | null; size_bytes: string; content_hash: string }>(
      `SELECT id, run_id, size_bytes, content_hash FROM ${TABLES.ingestedFiles} WHERE id = ANY($1::int[]) AND conflict IS NULL ORDER BY id FOR UPDATE${options.skipLocked ? ' SKIP LOCKED' : ''}`,
      [grown.map((g) => g.row.id)],
    );
    const byId = new Map(res.rows.map((r) => [Number(r.id), r]));
    for (const g of grown) {
      const now = byId.get(g.row.id);
      if (!now || Number(now.size_bytes) !== g.row.size_bytes || now.content_hash !== g.row.content_hash) continue;
      let runId = now.run_id === null ? null : Number(now.run_id);
      if (runId === null && content === 'samples') {
        const run = await conn.query<{ id: number }>(
          `INSERT INTO ${TABLES.runs} (status, source, source_file) VALUES ('ingesting', 'csv', $1) RETURNING id`,
          [g.file],
        );
        runId = Number(run.rows[0]!.id);
      }
      claimed.set(g.file, { input: g, fileId: g.row.id, runId, grown: true });
    }
  }
  const todo = files.filter((f) => claimed.has(f.file)).map((f) => claimed.get(f.file)!);
  const spool = new RejectSpool(0, '');
  // Per file only what the closing update needs: a parser keeps a COPY buffer, and a history may hold
  // thousands of files.
  const done: {
    c: Claimed;
    counts: ParseCounts;
    header: HeaderMapping | null;
    headerText: string | null;
    linesBefore: number;
    summary: RangeSummary;
  }[] = [];
  try {
    // Small pieces (follow: a few lines of each of 50 files) go out together: one COPY data message and one
    // socket write instead of one per file. A bulk load's chunks are larger than this and pass straight through.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      return out;
    };
    async function* copyText(): AsyncGenerator<Buffer> {
      for (const c of todo) {
        const input = c.input;
        const fail = (message: string) =>
          new TidemarkError('STEP_FAILED', `file "${input.file}": ${message}`, { plugin: PLUGIN });
        spool.setFile(c.fileId, input.file);
        const onReject = (row: RejectedRow) => spool.add(row);
        const parser =
          content === 'samples'
            ? new RowParser({ runId: c.runId!, aliases: options.aliases, onReject })
            : new EventParser({ runId: null, fileId: c.fileId, onReject });
        const linesBefore = input.kind === 'grow' ? input.lines : 0;
        const headerBefore = input.kind === 'grow' ? input.row.header : null;
        if (headerBefore !== null) parser.line(headerBefore, 1, true);
        const lines = readRange(join(options.logsDir, input.file), input.file, parser, {
          start: input.kind === 'grow' ? input.row.size_bytes : 0,
          end: input.size,
          closed: input.closed,
          linesBefore,
          hash: input.kind === 'grow' ? input.hash.copy() : createHash('sha256'),
          ...(input.kind === 'grow' && input.snapshot ? { snapshot: input.snapshot } : {}),
        });
        let summary: RangeSummary | undefined;
        for (;;) {
          if (options.signal?.aborted) throw fail('aborted; nothing of this ingest was kept');
          const step = await lines.next();
          const text = parser.take();
          if (text.length > 0) {
            pending.push(text);
            pendingBytes += text.length;
            if (pendingBytes >= COALESCE_BYTES) yield flush();
          }
          if (step.done) {
            summary = step.value;
            break;
          }
        }
        const counts = parser.counts;
        if (counts.dataLines !== counts.accepted + counts.rejected)
          throw fail(
            `count check failed: ${counts.dataLines} data lines, ${counts.accepted} parsed, ${counts.rejected} rejected`,
          );
        const header = parser instanceof RowParser ? parser.header : null;
        done.push({
          c,
          counts: { ...counts },
          header: headerBefore === null ? header : null,
          headerText: headerBefore === null ? parser.headerText : null,
          linesBefore,
          summary,
        });
      }
      if (pendingBytes > 0) yield flush();
    }
    const [table, columns] =
      content === 'samples' ? [TABLES.runSamples, COPY_COLUMNS] : [TABLES.loggerEvents, EVENT_COLUMNS];
    const bytes = todo.reduce((n, c) => n + c.input.size - (c.input.kind === 'grow' ? c.input.row.size_bytes : 0), 0);
    const rebuild =
      content === 'samples' && bytes >= (options.firstLoadBytes ?? FIRST_LOAD_BYTES)
        ? await deferConstraints(conn, table)
        : null;
    const inserted =
      todo.length > 0 ? await conn.copyIn(table, columns, copyText(), { blobBytes: options.blobBytes }) : 0;
    await rebuild?.();
    if (done.length !== todo.length)
      throw new TidemarkError('STEP_FAILED', `only ${done.length} of ${todo.length} files were read to their end`, {
        plugin: PLUGIN,
      });
    const accepted = done.reduce((n, d) => n + d.counts.accepted, 0);
    const rejectedParsed = done.reduce((n, d) => n + d.counts.rejected, 0);
    const rejected =
      spool.count > 0
        ? await conn.copyIn(TABLES.rejectedRows, REJECT_COLUMNS, spool.drain(), { blobBytes: options.blobBytes })
        : 0;
    if (inserted !== accepted || rejected !== rejectedParsed) {
      throw new TidemarkError(
        'STEP_FAILED',
        `count check failed: ${accepted} rows parsed but ${inserted} inserted, ${rejectedParsed} rejected but ${rejected} rejected rows stored`,
        { plugin: PLUGIN },
      );
    }
    if (done.length > 0) {
      const t = TABLES.ingestedFiles;
      await conn.query(
        `WITH u AS (SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::text[], $12::jsonb[], $13::jsonb[], $14::int[])
                      AS u(file_id, run_id, size_bytes, content_hash, lines, data_lines, inserted, rejected, blank_lines, null_cells, header, mapping, unmapped, lines_before)),
              f AS (UPDATE ${t} SET size_bytes = u.size_bytes, content_hash = u.content_hash, lines = u.lines, run_id = u.run_id,
                           data_lines = coalesce(${t}.data_lines, 0) + u.data_lines, inserted = coalesce(${t}.inserted, 0) + u.inserted,
                           rejected = coalesce(${t}.rejected, 0) + u.rejected, blank_lines = coalesce(${t}.blank_lines, 0) + u.blank_lines,
                           null_cells = coalesce(${t}.null_cells, 0) + u.null_cells, header = coalesce(${t}.header, u.header),
                           mapping = CASE WHEN ${t}.header IS NULL THEN u.mapping ELSE ${t}.mapping END,
                           unmapped_columns = CASE WHEN ${t}.header IS NULL THEN u.unmapped ELSE ${t}.unmapped_columns END
                      FROM u WHERE ${t}.id = u.file_id RETURNING ${t}.id, ${t}.run_id, ${t}.data_lines, ${t}.rejected)
         UPDATE ${TABLES.runs} SET status = CASE WHEN f.data_lines = 0 THEN 'empty' WHEN f.rejected > 0 THEN 'imported-with-rejects' ELSE 'imported' END,
                started_at = LEAST(${TABLES.runs}.started_at, (SELECT min(recorded_at) FROM ${TABLES.runSamples} s WHERE s.run_id = u.run_id AND s.line_no > u.lines_before))
           FROM f JOIN u ON u.file_id = f.id WHERE ${TABLES.runs}.id = f.run_id`,
        [
          done.map((d) => d.c.fileId),
          done.map((d) => d.c.runId),
          done.map((d) => d.summary.offset),
          done.map((d) => d.summary.sha256),
          done.map((d) => d.summary.lines),
          done.map((d) => d.counts.dataLines),
          done.map((d) => d.counts.accepted),
          done.map((d) => d.counts.rejected),
          done.map((d) => d.counts.blankLines),
          done.map((d) => d.counts.nullCells),
          done.map((d) => d.headerText),
          done.map((d) => JSON.stringify(d.header?.mapped ?? {})),
          done.map((d) => JSON.stringify(d.header?.unmapped ?? [])),
          done.map((d) => d.linesBefore),
        ],
      );
    }
    const durationMs = Math.round(performance.now() - t0);
    const results: FileIngestResult[] = [];
    for (const d of done) {
      await options.beforeCommit?.(d.c.input.file);
      const c = d.counts;
      const result: FileIngestResult = {
        file: d.c.input.file,
        sha256: d.summary.sha256,
        status: d.c.grown ? 'grown' : 'ingested',
        fileId: d.c.fileId,
        runId: d.c.runId,
        dataLines: c.dataLines,
        inserted: c.accepted,
        rejected: c.rejected,
        blankLines: c.blankLines,
        nullCells: c.nullCells,
        unmapped: d.header?.unmapped ?? [],
        missing: d.header?.missing ?? [],
        offset: d.summary.offset,
        held: d.summary.held,
        encoding: d.summary.encoding,
        durationMs,
      };
      options.onFile?.(result);
      results.push(result);
    }
    // For the next plan in this process (follow): the prefix state, checked against the row before use.
    await Promise.all(
      done.map((d) =>
        rememberPrefix(
          join(options.logsDir, d.c.input.file),
          d.summary.offset,
          d.summary.sha256,
          d.summary.state,
          d.summary.lines,
          d.c.input.kind === 'grow' ? d.c.input.snapshot : undefined,
        ),
      ),
    );
    for (const f of files) {
      if (!claimed.has(f.file)) results.push(skipped(f.file));
    }
    return results;
  } finally {
    await spool.dispose();
  }
}

export function skipped(file: string): FileIngestResult {
  return {
    file,
    sha256: '',
    status: 'already-ingested',
    fileId: null,
    runId: null,
    dataLines: 0,
    inserted: 0,
    rejected: 0,
    blankLines: 0,
    nullCells: 0,
    unmapped: [],
    missing: [],
    offset: 0,
    held: 0,
    encoding: 'utf8',
    durationMs: 0,
  };
}
