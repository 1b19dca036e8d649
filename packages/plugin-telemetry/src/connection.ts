// One raw connection for work that knex's query builder cannot express: COPY FROM STDIN on node-postgres,
// COPY FROM '/dev/blob' on PGlite, and explicit BEGIN/COMMIT around a whole file so a crash leaves nothing.
import type { Knex } from 'knex';
import type { Writable } from 'node:stream';
import { isPGliteKnex } from './target.js';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Conn {
  readonly kind: 'pg' | 'pglite';
  /** The connection belongs to an open transaction (the step's): nested work uses savepoints. */
  readonly nested: boolean;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Streams PostgreSQL COPY text-format lines into `table (columns)`. On pg this is one COPY FROM STDIN with
   * backpressure; on PGlite the stream is cut into blobs of at most `blobBytes` (memory stays bounded).
   */
  copyIn(
    table: string,
    columns: readonly string[],
    source: AsyncIterable<string | Uint8Array>,
    options?: { blobBytes?: number },
  ): Promise<number>;
}

interface PgClientLike {
  query(sql: unknown, params?: unknown[]): unknown;
}

interface PGliteLike {
  query<R>(sql: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

/**
 * Borrow a raw connection from the caller's knex pool for the duration of `fn`; given a knex transaction,
 * its own connection (knex's transaction client hands it out and does not release it).
 */
export async function withConnection<R>(knex: Knex, fn: (conn: Conn) => Promise<R>): Promise<R> {
  const raw: unknown = await knex.client.acquireConnection();
  try {
    return await fn(wrap(raw, isPGliteKnex(knex), knex.isTransaction === true));
  } finally {
    await knex.client.releaseConnection(raw);
  }
}

/**
 * BEGIN ... COMMIT on one connection; ROLLBACK on any error (and the server rolls back if we crash). Inside an
 * open transaction (the step's) nothing is added: a failure fails the step, whose transaction then rolls back
 * (no savepoint per file, so no subtransaction under a million foreign-key checks).
 */
export async function inTransaction<R>(conn: Conn, fn: () => Promise<R>): Promise<R> {
  if (conn.nested) return fn();
  await conn.query('BEGIN');
  try {
    const result = await fn();
    await conn.query('COMMIT');
    return result;
  } catch (error) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function wrap(raw: unknown, pglite: boolean, nested: boolean): Conn {
  return pglite ? wrapPGlite(raw as PGliteLike, nested) : wrapPg(raw as PgClientLike, nested);
}

function wrapPg(client: PgClientLike, nested: boolean): Conn {
  return {
    kind: 'pg',
    nested,
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = (await client.query(sql, [...params])) as { rows: R[]; rowCount: number | null };
      return { rows: res.rows, rowCount: res.rowCount ?? 0 };
    },
    async copyIn(table, columns, source) {
      const { from } = await import('pg-copy-streams');
      const stream = client.query(
        from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, { highWaterMark: 1 << 20 }),
      ) as Writable & { rowCount?: number };
      await pumpInto(source, stream);
      return stream.rowCount ?? 0;
    },
  };
}

function wrapPGlite(db: PGliteLike, nested: boolean): Conn {
  return {
    kind: 'pglite',
    nested,
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await db.query<R>(sql, [...params]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async copyIn(table, columns, source, options = {}) {
      const limit = options.blobBytes ?? 8 * 1024 * 1024;
      const sql = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
      let parts: Buffer[] = [];
      let size = 0;
      let rows = 0;
      // A blob must end on a line boundary: chunks from a file stream may split a line.
      const flush = async (final: boolean) => {
        if (size === 0) return;
        const all = Buffer.concat(parts);
        const cut = final ? all.length : all.lastIndexOf(10) + 1;
        const rest = all.subarray(cut);
        parts = rest.length ? [rest] : [];
        size = rest.length;
        if (cut === 0) return;
        const res = await db.query(sql, [], { blob: new Blob([all.subarray(0, cut)]) });
        rows += res.affectedRows ?? 0;
      };
      for await (const chunk of source) {
        const b =
          typeof chunk === 'string'
            ? Buffer.from(chunk)
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        parts.push(b);
        size += b.length;
        if (size >= limit) await flush(false);
      }
      await flush(true);
      return rows;
    },
  };
}

/** Writes every chunk with backpressure, then waits for the COPY to be acknowledged by the server. */
async function pumpInto(source: AsyncIterable<string | Uint8Array>, stream: Writable): Promise<void> {
  let failure: unknown;
  const failed = new Promise<never>((_, reject) => {
    stream.once('error', (error) => {
      failure = error;
      reject(error);
    });
  });
  failed.catch(() => undefined);
  const finished = new Promise<void>((resolve) => stream.once('finish', () => resolve()));
  try {
    for await (const chunk of source) {
      if (failure) throw failure;
      if (!stream.write(chunk)) {
        await Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), failed]);
      }
    }
  } catch (error) {
    // Abort the COPY so the server rejects it and the connection stays usable for ROLLBACK.
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    await Promise.race([finished, failed]).catch(() => undefined);
    throw error;
  }
  stream.end();
  await Promise.race([finished, failed]);
}
