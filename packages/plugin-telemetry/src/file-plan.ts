// What each CSV under logs/ needs, from the disk and the ingested_files rows: a new file, new complete lines
// of a file that grew (its ingested prefix still hashing the same), nothing, a byte-identical copy of a file
// already in, or a conflict (the prefix changed: rewritten or truncated). Shared by the ingest step, its
// trait and validator, follow() and rehearse(), so they all agree on what "pending" means.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Knex } from 'knex';
import { readRange } from './line-reader.js';
import { splitFields } from './csv-lines.js';
import { firstLine, isEventsHeader } from './event-parser.js';
import { listLogFiles, type LogFile } from './inventory.js';
import { dualWriteFiles, tableExists } from './db-state.js';
import { TABLES } from './schema.js';
import type { FileHandles, KeptHandle } from './file-handles.js';

export interface FileRow {
  id: number;
  path: string;
  content_hash: string;
  size_bytes: number;
  run_id: number | null;
  lines: number | null;
  header: string | null;
  copy_of: number | null;
  conflict: string | null;
  data_lines: number | null;
  kind: FileKind;
}

/** 'samples': telemetry (runs, run_samples); 'events': the logger's events CSV (logger_events). */
export type FileKind = 'samples' | 'events';

export type FilePlan =
  | { kind: 'new'; file: string; size: number; closed: boolean; content: FileKind }
  | {
      kind: 'grow';
      file: string;
      size: number;
      closed: boolean;
      row: FileRow;
      hash: Hash;
      lines: number;
      snapshot?: Snapshot;
    }
  | { kind: 'copy'; file: string; size: number; sha256: string; of: { id: number | null; path: string } }
  | { kind: 'conflict'; file: string; row: FileRow; reason: string }
  | { kind: 'held'; file: string; row: FileRow | null; bytes: number }
  | { kind: 'up-to-date' | 'known-conflict' | 'live'; file: string };

/**
 * A grown file's new bytes as the plan read them (with the bytes just before the offset and the file's first
 * bytes): the ingest and the cache read them from here, so a round of follow() costs one read per file.
 */
export interface Snapshot {
  /** File offset of data[0]. */
  position: number;
  data: Buffer;
  /** The file's first 4 bytes (its byte order mark, if any). */
  head: Buffer;
  ino: bigint;
  dev: bigint;
}

export interface PlanOptions {
  /**
   * A file not written for this long is closed: its last line without a line end is rejected as truncated. Default 5
   * min.
   */
  closedAfterMs?: number;
  /** Files mirrored by the in-process TelemetryWriter (not ingested from disk). */
  live?: ReadonlySet<string>;
  now?: number;
  /** follow(): handles kept open between its rounds (see file-handles.ts). */
  handles?: FileHandles;
}

export const DEFAULT_CLOSED_AFTER_MS = 5 * 60_000;
export const EMPTY_SHA256 = createHash('sha256').digest('hex');

const ROW_COLUMNS = [
  'id',
  'path',
  'content_hash',
  'size_bytes',
  'run_id',
  'lines',
  'header',
  'copy_of',
  'conflict',
  'data_lines',
  'kind',
] as const;

export async function fileRows(knex: Knex): Promise<Map<string, FileRow>> {
  if (!(await tableExists(knex, TABLES.ingestedFiles))) return new Map();
  await ensureFileColumns(knex);
  const rows = await knex(TABLES.ingestedFiles).select<FileRow[]>(...ROW_COLUMNS);
  return new Map(rows.map((r) => [r.path, { ...r, id: Number(r.id), size_bytes: Number(r.size_bytes) }]));
}

/** An ingested_files table from before growing files: path identity, prefix columns, no unique hash. */
const ensured = new WeakSet<object>();

export async function ensureFileColumns(knex: Knex): Promise<void> {
  // Once per pool in a process (follow() plans every few hundred ms); a transaction object is always checked.
  if (ensured.has(knex)) return;
  await ensureFileColumnsNow(knex);
  if (!knex.isTransaction) ensured.add(knex);
}

async function ensureFileColumnsNow(knex: Knex): Promise<void> {
  const have = await knex.raw<{ rows: { column_name: string }[] }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name IN ('lines', 'copy_of', 'conflict', 'kind')`,
    [TABLES.ingestedFiles],
  );
  if (have.rows.length === 4) return;
  const t = TABLES.ingestedFiles;
  await knex.raw(
    `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS lines integer, ADD COLUMN IF NOT EXISTS copy_of integer REFERENCES ${t}(id) ON DELETE SET NULL, ADD COLUMN IF NOT EXISTS conflict text, ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'samples'`,
  );
  await knex.raw(
    `ALTER TABLE ${TABLES.loggerEvents} ADD COLUMN IF NOT EXISTS file_id integer, ADD COLUMN IF NOT EXISTS line_no integer`,
  );
  await knex.raw(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${t}_content_hash_unique`);
  await knex.raw(`CREATE INDEX IF NOT EXISTS ${t}_content_hash_index ON ${t} (content_hash)`);
  // An earlier version ingested a rewritten file as a second row under the same path; those stay readable
  // (the unique path index is then left out, and the newest row is the one that grows).
  const dup = await knex.raw<{ rows: { n: number }[] }>(
    `SELECT count(*)::int AS n FROM (SELECT path FROM ${t} GROUP BY path HAVING count(*) > 1) d`,
  );
  if (dup.rows[0]!.n === 0) await knex.raw(`CREATE UNIQUE INDEX IF NOT EXISTS ${t}_path_unique ON ${t} (path)`);
}

// One statement for both reads a plan needs (the trait at every start, follow every round): the files and
// the dual-write files; logger_events' columns of this release are named too. Tables of an earlier release
// (a column missing) or no tables yet fail it, and the statement-per-question path, which also upgrades the
// columns, answers instead.
const STATE_SQL = `SELECT
  (SELECT coalesce(json_agg(json_build_object(${ROW_COLUMNS.map((c) => `'${c}', f.${c}`).join(', ')})), '[]') FROM ${TABLES.ingestedFiles} f) AS files,
  (SELECT coalesce(json_agg(r.source_file), '[]') FROM ${TABLES.runs} r WHERE r.source = 'dual-write' AND r.source_file IS NOT NULL) AS live,
  (SELECT count(*) FROM (SELECT e.file_id, e.line_no FROM ${TABLES.loggerEvents} e LIMIT 0) upgraded) AS upgraded`;

/** The ingested_files rows by path and the files the in-process TelemetryWriter mirrors. */
export async function fileState(knex: Knex): Promise<{ rows: Map<string, FileRow>; live: Set<string> }> {
  // Inside a transaction a failed statement would abort it: there the careful path asks first.
  if (!knex.isTransaction) {
    try {
      const res = await knex.raw<{ rows: { files: FileRow[]; live: string[] }[] }>(STATE_SQL);
      const { files, live } = res.rows[0]!;
      // every column of this release answered: the upgrade below has nothing to do
      ensured.add(knex);
      return {
        rows: new Map(files.map((r) => [r.path, { ...r, id: Number(r.id), size_bytes: Number(r.size_bytes) }])),
        live: new Set(live),
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '42P01' && code !== '42703') throw error;
    }
  }
  return { rows: await fileRows(knex), live: await dualWriteFiles(knex) };
}

// The hash state at the ingested offset, kept per path in this process so follow() does not rehash a
// growing file's whole prefix on every append: valid while the row still says the same offset and hash and
// the file is the same inode whose bytes just before the offset are unchanged.
interface Cached {
  ino: bigint;
  dev: bigint;
  offset: number;
  sha256: string;
  hash: Hash;
  lines: number;
  tail: Buffer;
  head: Buffer;
  /** The listing's identity of the file (see LogFile) when it last checked out whole at this offset. */
  quiet?: string;
}
const prefixCache = new Map<string, Cached>();
const TAIL = 64;
const HEAD = 4;
/** A grown file's new bytes are read at plan time up to this size, and all files' up to SNAPSHOT_BUDGET together. */
const SNAPSHOT_MAX = 1 << 20;
const SNAPSHOT_BUDGET = 32 << 20;

export async function rememberPrefix(
  path: string,
  offset: number,
  sha256: string,
  hash: Hash,
  lines: number,
  snapshot?: Snapshot,
): Promise<void> {
  try {
    const from = Math.max(0, offset - TAIL);
    const known = snapshot && from >= snapshot.position && offset <= snapshot.position + snapshot.data.length;
    const st = known ? snapshot : await stat(path, { bigint: true });
    const tail = known
      ? Buffer.from(snapshot.data.subarray(from - snapshot.position, offset - snapshot.position))
      : await readAt(path, from, offset - from);
    const head = known ? snapshot.head : await readAt(path, 0, HEAD);
    if (prefixCache.size >= 10_000) prefixCache.clear();
    prefixCache.set(path, { ino: st.ino, dev: st.dev, offset, sha256, hash: hash.copy(), lines, tail, head });
  } catch {
    prefixCache.delete(path);
  }
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The hash state of bytes [0, length) and the lines in them (counted only when `countLines`). */
async function hashPrefix(
  path: string,
  file: string,
  length: number,
  countLines: boolean,
): Promise<{ hash: Hash; sha256: string; lines: number }> {
  if (countLines) {
    const lines = readRange(path, file, { line() {} }, { end: length, closed: true });
    let step = await lines.next();
    while (!step.done) step = await lines.next();
    return { hash: step.value.state, sha256: step.value.sha256, lines: step.value.lines };
  }
  const hash = createHash('sha256');
  if (length > 0) {
    for await (const buf of createReadStream(path, {
      start: 0,
      end: length - 1,
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>)
      hash.update(buf);
  }
  return { hash, sha256: hash.copy().digest('hex'), lines: 0 };
}

type PrefixState = { hash: Hash; sha256: string; lines: number; snapshot?: Snapshot };

async function prefixState(
  path: string,
  f: LogFile,
  row: FileRow,
  budget: { bytes: number },
  handles?: FileHandles,
): Promise<PrefixState | { bad: string }> {
  const { file, bytes: size } = f;
  const offset = row.size_bytes;
  const hit = prefixCache.get(path);
  if (hit && hit.offset === offset && hit.sha256 === row.content_hash) {
    const checked = await checkAgainstCache(path, f.inode, hit, size, budget, handles);
    if (checked)
      return {
        hash: hit.hash.copy(),
        sha256: hit.sha256,
        lines: hit.lines,
        ...(checked.snapshot ? { snapshot: checked.snapshot } : {}),
      };
  }
  const state = await hashPrefix(path, file, offset, row.lines === null);
  if (state.sha256 !== row.content_hash)
    return { bad: `rewritten: its first ${offset} bytes differ from what was ingested` };
  const lines = row.lines ?? state.lines;
  // Hashed whole once per process (a restarted follower, a file ingested by another process): later plans
  // check the cached state, and a file not written since, nothing at all.
  await rememberPrefix(path, offset, state.sha256, state.hash, lines);
  return { ...state, lines };
}

/**
 * The cached prefix still holds when the file is the same inode and the bytes just before the offset are the
 * same. Read on one open handle together with the new bytes (when small enough): the plan's snapshot.
 */
async function checkAgainstCache(
  path: string,
  inode: string,
  hit: Cached,
  size: number,
  budget: { bytes: number },
  handles?: FileHandles,
): Promise<{ snapshot?: Snapshot } | null> {
  let handle = handles?.take(path, inode);
  if (!handle) {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      handle = { fh, ino: st.ino, dev: st.dev };
    } catch (error) {
      await fh.close();
      throw error;
    }
  }
  const { fh } = handle;
  try {
    if (handle.ino !== hit.ino || handle.dev !== hit.dev) return null;
    const from = Math.max(0, hit.offset - TAIL);
    const whole = size - from <= SNAPSHOT_MAX && size - from <= budget.bytes && hit.head.length === HEAD;
    const length = whole ? size - from : hit.offset - from;
    const data = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(data, got, length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (!data.subarray(0, Math.min(got, hit.offset - from)).equals(hit.tail)) return null;
    if (!whole || got < length) return {};
    budget.bytes -= length;
    return { snapshot: { position: from, data, head: hit.head, ino: handle.ino, dev: handle.dev } };
  } finally {
    await release(path, inode, handle, handles);
  }
}

async function release(path: string, inode: string, handle: KeptHandle, handles?: FileHandles): Promise<void> {
  if (handles) await handles.give(path, inode, handle);
  else await handle.fh.close();
}

/** An events CSV by its header (see event-parser.ts); a file without a complete header line yet is samples. */
async function sniffKind(path: string, size: number): Promise<FileKind | null> {
  const line = firstLine(await readAt(path, 0, Math.min(size, 64 * 1024)));
  if (line === null) return size >= 64 * 1024 ? 'samples' : null;
  const fields = splitFields(line);
  return isEventsHeader(Array.isArray(fields) ? fields : line.split(',')) ? 'events' : 'samples';
}

/** Whether bytes [start, size) hold a line end (a complete line to ingest) — a hint; the reader decides. */
async function hasLineEnd(path: string, start: number, size: number, snapshot?: Snapshot): Promise<boolean> {
  const length = Math.min(size - start, 1 << 20);
  if (length < size - start) return true;
  const inSnapshot = snapshot && start >= snapshot.position && size <= snapshot.position + snapshot.data.length;
  const buf = inSnapshot
    ? snapshot.data.subarray(start - snapshot.position, size - snapshot.position)
    : await readAt(path, start, length);
  const cr = buf.indexOf(13);
  return buf.indexOf(10) !== -1 || (cr !== -1 && cr < buf.length - 1);
}

/**
 * Closed: not written for `closedAfterMs`, or another file in its folder was created after its last write.
 * Only another file closes one: a file written once at creation has the same birth and write time, and
 * comparing its own fractional birth with its rounded mtime made that depend on the sub-millisecond part.
 */
export function closedFiles(files: readonly LogFile[], now: number, closedAfterMs: number): Set<string> {
  // Per folder the two newest births: the newest other than a file's own.
  const newest = new Map<string, { file: string; born: number }[]>();
  for (const f of files) {
    const dir = dirname(f.file);
    const top = [...(newest.get(dir) ?? []), { file: f.file, born: f.born }]
      .sort((a, b) => b.born - a.born)
      .slice(0, 2);
    newest.set(dir, top);
  }
  const closed = new Set<string>();
  for (const f of files) {
    const written = f.mtime.getTime();
    if (now - written >= closedAfterMs) {
      closed.add(f.file);
      continue;
    }
    const other = (newest.get(dirname(f.file)) ?? []).find((n) => n.file !== f.file);
    if (other && other.born > 0 && other.born > written) closed.add(f.file);
  }
  return closed;
}

export async function planFiles(
  logsDir: string,
  rows: ReadonlyMap<string, FileRow>,
  options: PlanOptions = {},
): Promise<FilePlan[]> {
  const files = await listLogFiles(logsDir);
  const closed = closedFiles(files, options.now ?? Date.now(), options.closedAfterMs ?? DEFAULT_CLOSED_AFTER_MS);
  const bySize = new Map<number, FileRow[]>();
  for (const r of rows.values()) {
    if (r.copy_of !== null || r.conflict !== null || !r.data_lines) continue;
    bySize.set(r.size_bytes, [...(bySize.get(r.size_bytes) ?? []), r]);
  }
  // Files are looked at 16 at a time: follow() plans 50 growing files every round, and one after another
  // their stats and reads add up to the lag on a loaded machine.
  const planned: (FilePlan | null)[] = new Array<FilePlan | null>(files.length).fill(null);
  const budget = { bytes: SNAPSHOT_BUDGET };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const f = files[i]!;
      try {
        planned[i] = await planFile(logsDir, f, rows.get(f.file), closed.has(f.file), bySize, options, budget);
      } catch (error) {
        // Gone between the listing and the read (a logger rotating files): next time.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, files.length) }, worker));
  await options.handles?.keepOnly(new Set(files.map((f) => join(logsDir, f.file))));
  const plans = planned.filter((p): p is FilePlan => p !== null);
  return copiesAmongNew(logsDir, plans, new Map(files.map((f) => [f.file, f.born])));
}

/**
 * Two new files with the same bytes (a copy next to its original, both not ingested yet): the oldest (then
 * the first in path order) is ingested, the others become copies of it. Only files holding a data line (two line ends):
 * two
 * header-only files are two runs that have not logged yet, and each may still grow on its own.
 */
async function copiesAmongNew(
  logsDir: string,
  plans: FilePlan[],
  born: ReadonlyMap<string, number>,
): Promise<FilePlan[]> {
  const bySize = new Map<number, number[]>();
  plans.forEach((p, i) => {
    if (p.kind === 'new' && p.size > 0) bySize.set(p.size, [...(bySize.get(p.size) ?? []), i]);
  });
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => (born.get(plans[a]!.file) ?? 0) - (born.get(plans[b]!.file) ?? 0) || a - b);
    const first = new Map<string, string>();
    for (const i of group) {
      const p = plans[i] as Extract<FilePlan, { kind: 'new' }>;
      const { sha256, lineEnds } = await hashWhole(join(logsDir, p.file));
      if (lineEnds < 2) continue;
      const original = first.get(sha256);
      if (original === undefined) first.set(sha256, p.file);
      else plans[i] = { kind: 'copy', file: p.file, size: p.size, sha256, of: { id: null, path: original } };
    }
  }
  return plans;
}

// The trait, the step and its validator plan the same files in one process: a file whose identity, size and
// times have not changed is not hashed again.
const wholeCache = new Map<string, { key: string; sha256: string; lineEnds: number }>();

async function hashWhole(path: string): Promise<{ sha256: string; lineEnds: number }> {
  const st = await stat(path, { bigint: true });
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const hit = wholeCache.get(path);
  if (hit?.key === key) return hit;
  const result = await hashWholeUncached(path);
  if (wholeCache.size >= 10_000) wholeCache.clear();
  wholeCache.set(path, { key, ...result });
  return result;
}

async function hashWholeUncached(path: string): Promise<{ sha256: string; lineEnds: number }> {
  const hash = createHash('sha256');
  let lineEnds = 0;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(buf);
    for (let i = buf.indexOf(10); i !== -1 && lineEnds < 2; i = buf.indexOf(10, i + 1)) lineEnds++;
    for (let i = buf.indexOf(13); i !== -1 && lineEnds < 2; i = buf.indexOf(13, i + 1)) lineEnds++;
  }
  return { sha256: hash.digest('hex'), lineEnds };
}

async function planFile(
  logsDir: string,
  f: LogFile,
  row: FileRow | undefined,
  closed: boolean,
  bySize: Map<number, FileRow[]>,
  options: PlanOptions,
  budget: { bytes: number },
): Promise<FilePlan> {
  const path = join(logsDir, f.file);
  if (options.live?.has(f.file)) return { kind: 'live', file: f.file };
  if (!row) {
    const candidates = bySize.get(f.bytes);
    if (candidates) {
      const { sha256 } = await hashPrefix(path, f.file, f.bytes, false);
      const of = candidates.find((c) => c.content_hash === sha256);
      if (of) return { kind: 'copy', file: f.file, size: f.bytes, sha256, of };
    }
    const content = await sniffKind(path, f.bytes);
    // Not even a header line yet (the logger just created it): claimed once its header is there or it is closed.
    if (content === null && !closed) return { kind: 'held', file: f.file, row: null, bytes: f.bytes };
    return { kind: 'new', file: f.file, size: f.bytes, closed, content: content ?? 'samples' };
  }
  if (row.conflict !== null) return { kind: 'known-conflict', file: f.file };
  // Not written since its prefix last checked out at this offset: nothing to read (follow() plans every file
  // of the folder every round, most of them finished logs).
  const hit = prefixCache.get(path);
  if (
    f.bytes === row.size_bytes &&
    hit?.quiet === f.identity &&
    hit.offset === row.size_bytes &&
    hit.sha256 === row.content_hash
  )
    return { kind: 'up-to-date', file: f.file };
  if (f.bytes < row.size_bytes)
    return {
      kind: 'conflict',
      file: f.file,
      row,
      reason: `truncated: ${f.bytes} bytes now, ${row.size_bytes} were ingested`,
    };
  const state = await prefixState(path, f, row, budget, options.handles);
  if ('bad' in state) return { kind: 'conflict', file: f.file, row, reason: state.bad };
  if (f.bytes === row.size_bytes) {
    // The identity was taken before the check read the file: a write since then changed it, and is seen next time.
    const checked = prefixCache.get(path);
    if (checked && checked.offset === row.size_bytes && checked.sha256 === row.content_hash) checked.quiet = f.identity;
    return { kind: 'up-to-date', file: f.file };
  }
  if (row.copy_of !== null)
    return {
      kind: 'conflict',
      file: f.file,
      row,
      reason: `a copy of an ingested file that grew by ${f.bytes - row.size_bytes} bytes`,
    };
  if (!closed && !(await hasLineEnd(path, row.size_bytes, f.bytes, state.snapshot)))
    return { kind: 'held', file: f.file, row, bytes: f.bytes - row.size_bytes };
  return {
    kind: 'grow',
    file: f.file,
    size: f.bytes,
    closed,
    row,
    hash: state.hash,
    lines: state.lines,
    ...(state.snapshot ? { snapshot: state.snapshot } : {}),
  };
}

/** The plans that write: new files, growth, copies and newly found conflicts. */
export function isPending(plan: FilePlan): plan is Extract<FilePlan, { kind: 'new' | 'grow' | 'copy' | 'conflict' }> {
  return plan.kind === 'new' || plan.kind === 'grow' || plan.kind === 'copy' || plan.kind === 'conflict';
}
