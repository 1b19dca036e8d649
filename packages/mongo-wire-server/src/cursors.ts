// Open cursors: results are materialized when the cursor opens (stored documents are immutable, so this is a
// consistent snapshot) and handed out batch by batch through getMore.
import { calculateObjectSize, type Document } from 'bson';
import { CommandError } from './errors.js';

interface OpenCursor {
  ns: string;
  docs: Document[];
  position: number;
}

const DEFAULT_FIRST_BATCH = 101;
/** Without a batchSize, a getMore batch stops growing past this many bytes (the server uses 16 MiB). */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();

  get size(): number {
    return this.cursors.size;
  }

  /** Returns the `cursor` field of a find/aggregate/listX reply. */
  open(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false): Document {
    const cursor: OpenCursor = { ns, docs, position: 0 };
    const firstBatch = takeBatch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.position < docs.length) {
      id = newCursorId(this.cursors);
      this.cursors.set(id, cursor);
    }
    return { firstBatch, id: BigInt(id), ns };
  }

  getMore(idValue: unknown, collection: string, db: string, batchSize: number | undefined): Document {
    const id = Number(idValue);
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${id} not found`);
    if (cursor.ns !== `${db}.${collection}`) {
      throw new CommandError(
        'Unauthorized',
        `Requested getMore on namespace '${db}.${collection}', but cursor belongs to a different namespace ${cursor.ns}`,
      );
    }
    const nextBatch = takeBatch(cursor, batchSize || undefined);
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.cursors.delete(id);
    return { nextBatch, id: BigInt(exhausted ? 0 : id), ns: cursor.ns };
  }

  kill(ids: unknown[]): Document {
    const killed: bigint[] = [];
    const notFound: bigint[] = [];
    for (const value of ids) {
      const id = Number(value);
      if (this.cursors.delete(id)) killed.push(BigInt(id));
      else notFound.push(BigInt(id));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
  }
}

function takeBatch(cursor: OpenCursor, batchSize: number | undefined): Document[] {
  const start = cursor.position;
  if (batchSize !== undefined && batchSize > 0) {
    cursor.position = Math.min(cursor.docs.length, start + batchSize);
    return cursor.docs.slice(start, cursor.position);
  }
  if (batchSize === 0 && start === 0) return [];
  let bytes = 0;
  let end = start;
  while (end < cursor.docs.length && bytes < MAX_BATCH_BYTES) {
    bytes += calculateObjectSize(cursor.docs[end] as Document);
    end++;
  }
  cursor.position = end;
  return cursor.docs.slice(start, end);
}

function newCursorId(taken: Map<number, OpenCursor>): number {
  for (;;) {
    const id = Math.floor(Math.random() * 2 ** 52) + 1;
    if (!taken.has(id)) return id;
  }
}
