// Dual-write for the app. The CSV is authoritative: every sample is appended to it synchronously before
// anything else, and nothing about the database can make that fail. The PostgreSQL mirror sits behind a
// feature flag, buffers up to a bound while the database is slow or down, and counts and logs what it had to
// drop; the parity report shows the gap per run.
import type { Knex } from 'knex';
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { createError, describeError } from '@tidemark/core';
import { SAMPLE_COLUMNS, TABLES, type SampleColumn } from './schema.js';
import { LOGGER_COLUMNS } from './logger-format.js';

export type TelemetrySample = { timestamp: Date | string } & Partial<Record<SampleColumn, number | null>>;

export interface TelemetryWriterOptions {
  /** The CSV file this run writes (created with the logger header if missing). */
  csvPath: string;
  /** Where the mirror writes; null/undefined = CSV only. */
  knex?: Knex | null;
  /**
   * The feature flag: read on every write, so it can be flipped at runtime. Default: env TIDEMARK_TELEMETRY_DB_WRITES
   * === 'on'.
   */
  mirror?: boolean | (() => boolean);
  /** logs/ folder: source_file is stored relative to it, like ingested files. */
  logsDir?: string;
  /** Most rows waiting for the database; past it the oldest are dropped (and counted). Default 10,000. */
  bufferLimit?: number;
  /** Rows per INSERT. Default 500. */
  batchSize?: number;
  /** Background flush period. Default 1000 ms. */
  flushIntervalMs?: number;
  configProfileId?: number | null;
  /** Where warnings go (drops, database errors). Default console.warn, at most once per 10 s per kind. */
  onWarn?: (message: string, data: Record<string, unknown>) => void;
}

export interface TelemetryWriterStats {
  mirrorEnabled: boolean;
  csvRows: number;
  mirrored: number;
  pending: number;
  dropped: number;
  dbErrors: number;
  lastError: string | null;
  runId: number | null;
  csvPath: string;
}

export interface TelemetryWriter {
  write(sample: TelemetrySample): void;
  /** Sends what is buffered now; never throws (errors are counted and the rows stay buffered). */
  flush(): Promise<void>;
  stats(): TelemetryWriterStats;
  /** Last flush, marks the run finished when the database is reachable, closes the CSV. */
  close(): Promise<TelemetryWriterStats>;
}

interface Pending {
  line_no: number;
  recorded_at: string;
  values: (number | null)[];
}

export function envFlag(name = 'TIDEMARK_TELEMETRY_DB_WRITES'): () => boolean {
  return () => /^(1|on|true|yes)$/i.test(process.env[name] ?? '');
}

export function createTelemetryWriter(options: TelemetryWriterOptions): TelemetryWriter {
  const flag =
    typeof options.mirror === 'function'
      ? options.mirror
      : options.mirror === undefined
        ? envFlag()
        : () => options.mirror as boolean;
  const limit = options.bufferLimit ?? 10_000;
  const batchSize = options.batchSize ?? 500;
  const fresh = !existsSync(options.csvPath);
  // Line numbers continue an existing file, so parity can join CSV lines to mirrored rows.
  let lineNo = fresh ? 0 : countLines(options.csvPath);
  const fd = openSync(options.csvPath, 'a');
  if (fresh) {
    writeSync(fd, `${LOGGER_COLUMNS.map((c) => c.header).join(',')}\r\n`);
    lineNo = 1;
  }
  const sourceFile =
    options.logsDir && !relative(options.logsDir, options.csvPath).startsWith('..')
      ? relative(options.logsDir, options.csvPath).split(sep).join('/')
      : options.csvPath;
  let buffer: Pending[] = [];
  const stats: TelemetryWriterStats = {
    mirrorEnabled: flag(),
    csvRows: 0,
    mirrored: 0,
    pending: 0,
    dropped: 0,
    dbErrors: 0,
    lastError: null,
    runId: null,
    csvPath: options.csvPath,
  };
  const lastWarn = new Map<string, number>();
  const warn = (kind: string, message: string, data: Record<string, unknown>) => {
    const now = Date.now();
    if ((lastWarn.get(kind) ?? 0) + 10_000 > now) return;
    lastWarn.set(kind, now);
    (options.onWarn ?? ((m, d) => console.warn(createError('plugin-telemetry', m).message, d)))(message, data);
  };
  let flushing: Promise<void> | null = null;
  let closed = false;

  const timer = setInterval(() => {
    void flush();
  }, options.flushIntervalMs ?? 1000);
  timer.unref();

  function write(sample: TelemetrySample): void {
    if (closed) throw createError('plugin-telemetry', 'TelemetryWriter is closed');
    const ts = typeof sample.timestamp === 'string' ? sample.timestamp : sample.timestamp.toISOString();
    const values = SAMPLE_COLUMNS.map((c) =>
      typeof sample[c] === 'number' && Number.isFinite(sample[c]) ? (sample[c] as number) : null,
    );
    writeSync(fd, `${[ts, ...values.map((v) => (v === null ? '' : String(v)))].join(',')}\r\n`);
    lineNo += 1;
    stats.csvRows += 1;
    stats.mirrorEnabled = flag();
    if (!stats.mirrorEnabled || !options.knex) return;
    buffer.push({ line_no: lineNo, recorded_at: ts, values });
    if (buffer.length > limit) {
      const over = buffer.length - limit;
      buffer = buffer.slice(over);
      stats.dropped += over;
      warn('drop', `mirror buffer full (${limit} rows): dropped ${stats.dropped} row(s) so far; the CSV has them all`, {
        csvPath: options.csvPath,
        dropped: stats.dropped,
      });
    }
    stats.pending = buffer.length;
  }

  async function send(knex: Knex): Promise<void> {
    if (stats.runId === null) {
      const [row] = await knex(TABLES.runs)
        .insert({
          status: 'live',
          source: 'dual-write',
          source_file: sourceFile,
          started_at: buffer[0]?.recorded_at ?? new Date().toISOString(),
          config_profile_id: options.configProfileId ?? null,
        })
        .returning<{ id: number }[]>('id');
      stats.runId = row!.id;
    }
    while (buffer.length > 0) {
      const batch = buffer.slice(0, batchSize);
      await knex(TABLES.runSamples).insert(
        batch.map((p) => ({
          run_id: stats.runId,
          line_no: p.line_no,
          recorded_at: p.recorded_at,
          ...Object.fromEntries(SAMPLE_COLUMNS.map((c, i) => [c, p.values[i]])),
        })),
      );
      buffer = buffer.slice(batch.length);
      stats.mirrored += batch.length;
      stats.pending = buffer.length;
    }
  }

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    const knex = options.knex;
    if (!knex || buffer.length === 0) return;
    flushing = send(knex)
      .catch((error: unknown) => {
        stats.dbErrors += 1;
        stats.lastError = describeError(error);
        warn(
          'db',
          `mirror to PostgreSQL failed (${stats.dbErrors} time(s)); ${buffer.length} row(s) buffered, CSV unaffected: ${stats.lastError}`,
          { csvPath: options.csvPath },
        );
      })
      .finally(() => {
        flushing = null;
      });
    return flushing;
  }

  return {
    write,
    flush,
    stats: () => ({ ...stats, pending: buffer.length }),
    async close() {
      clearInterval(timer);
      await flush();
      closed = true;
      closeSync(fd);
      if (options.knex && stats.runId !== null) {
        await options
          .knex(TABLES.runs)
          .where({ id: stats.runId })
          .update({ status: buffer.length + stats.dropped > 0 ? 'finished-with-gap' : 'finished' })
          .catch((error: unknown) => {
            stats.lastError = describeError(error);
          });
      }
      if (buffer.length > 0) {
        stats.dropped += buffer.length;
        warn('close', `closed with ${buffer.length} row(s) not mirrored; they are in the CSV`, {
          csvPath: options.csvPath,
        });
        buffer = [];
      }
      return { ...stats, pending: 0 };
    },
  };
}

function countLines(path: string): number {
  // Chunked, so reopening a large existing file does not load it whole.
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n = 0;
  try {
    for (let read = readSync(fd, buf); read > 0; read = readSync(fd, buf)) {
      for (let i = buf.indexOf(10); i !== -1 && i < read; i = buf.indexOf(10, i + 1)) n += 1;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}
