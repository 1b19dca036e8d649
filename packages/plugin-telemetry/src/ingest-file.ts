// One CSV file (new, or grown since its last ingest) in its own transaction: its ingested_files row and run,
// the new samples by COPY, the rejected rows, the count check and the new offset — a file's new lines are
// wholly in the database or not at all, and a rerun resumes at the offset the database holds.
import { inTransaction, type Conn } from './connection.js';
import type { FileEncoding } from './line-reader.js';
import type { MappedColumn } from './header-map.js';
import { ingestBatch, type BatchFile } from './ingest-batch.js';

export interface IngestFileInput {
  logsDir: string;
  /** What to read: a new file, or a grown one from its ingested offset (see planFiles). */
  plan: BatchFile;
  /** Zone for timestamps without an offset (IANA name or offset). */
  timezone: string;
  aliases?: Partial<Record<MappedColumn, readonly string[]>>;
  /** Test hook: called after the samples COPY and the offset update, before the commit. */
  beforeCommit?: (file: string) => Promise<void> | void;
  signal?: AbortSignal;
  /** PGlite COPY blob size. */
  blobBytes?: number;
}

export interface FileIngestResult {
  file: string;
  /** Hash of the ingested prefix (the whole file once it is complete). */
  sha256: string;
  status: 'ingested' | 'grown' | 'already-ingested';
  fileId: number | null;
  runId: number | null;
  /** Of the lines read now (a grown file: only the new ones). */
  dataLines: number;
  inserted: number;
  rejected: number;
  blankLines: number;
  nullCells: number;
  unmapped: string[];
  missing: string[];
  /** Byte offset ingested up to. */
  offset: number;
  /** Bytes after it held back: a last line still being written. */
  held: number;
  encoding: FileEncoding;
  durationMs: number;
}

export async function ingestFile(
  conn: Conn,
  input: IngestFileInput,
  options: { skipLocked?: boolean } = {},
): Promise<FileIngestResult> {
  const { plan, ...rest } = input;
  const results = await inTransaction(conn, () => ingestBatch(conn, [plan], { ...rest, ...options }));
  return results[0]!;
}
