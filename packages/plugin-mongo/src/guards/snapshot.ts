// Run-level snapshot: before a run, copy every collection its steps touch (documents with their exact BSON
// types, indexes, collection options, and whether it existed) into `_tidemark_snapshots`; if any step fails,
// put them all back, so a failed run leaves the database as it was (law 4). Works on a standalone server,
// where multi-document transactions are not available, and for DDL (collections, indexes) that
// transactions would not cover anyway.
import { createError, defineGuard, describeError, type Guard, type GuardContext } from '@tidemark/core';
import type { Collection, Db, Document, IndexDescription } from 'mongodb';
import { dbOf, type MongoTarget } from '../target.js';

export interface SnapshotGuardOptions {
  /** Collection that holds snapshots. */
  collection: string;
  /** The collections the given steps touch. */
  touches(steps: readonly string[]): string[];
  /** Committed snapshots to keep (for forensics and for restoring steps without `down`). Default 1. */
  keep?: number;
  /** Documents per stored chunk (a chunk that exceeds 16 MB is split). Default 1000. */
  chunkSize?: number;
}

interface CollectionMeta {
  name: string;
  existed: boolean;
  options: Document;
  indexes: IndexDescription[];
  chunks: number;
  documents: number;
}

interface SnapshotHeader {
  _id: string;
  kind: 'header';
  state: 'open' | 'committed' | 'abandoned';
  command: string;
  steps: string[];
  taken_at: Date;
  collections: CollectionMeta[];
}

interface SnapshotChunk {
  _id: string;
  kind: 'chunk';
  ref: string;
  collection: string;
  seq: number;
  docs: Document[];
}

type SnapshotDoc = SnapshotHeader | SnapshotChunk;

// Exact types on the way out and back in: no int64 -> int32 or Binary -> Buffer drift. Cursors over whole
// collections ask for bounded batches (1000 documents) so no reply nears the 16 MB message limit.
const EXACT = { promoteLongs: false, promoteValues: false, promoteBuffers: false, bsonRegExp: true } as const;

function tooLarge(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === 10334 ||
    e?.code === 2 ||
    /too large|maximum.*size|BSONObjectTooLarge|exceeds/i.test(String(e?.message ?? ''))
  );
}

async function storeChunks(
  store: Collection<SnapshotDoc>,
  ref: string,
  collection: string,
  docs: Document[],
  seq: { n: number },
): Promise<void> {
  if (docs.length === 0) return;
  const chunk: SnapshotChunk = {
    _id: `${ref}/${collection}/${seq.n}`,
    kind: 'chunk',
    ref,
    collection,
    seq: seq.n,
    docs,
  };
  try {
    await store.insertOne(chunk);
    seq.n++;
  } catch (error) {
    if (!tooLarge(error) || docs.length === 1) throw error;
    const half = Math.ceil(docs.length / 2);
    await storeChunks(store, ref, collection, docs.slice(0, half), seq);
    await storeChunks(store, ref, collection, docs.slice(half), seq);
  }
}

export async function takeSnapshot(
  db: Db,
  storeName: string,
  ref: string,
  collections: readonly string[],
  meta: { command: string; steps: string[] },
  chunkSize = 1000,
): Promise<SnapshotHeader> {
  const store = db.collection<SnapshotDoc>(storeName);
  const info = await db.listCollections({}, { nameOnly: false }).toArray();
  const metas: CollectionMeta[] = [];
  for (const name of collections) {
    const found = info.find((c) => c.name === name) as { options?: Document } | undefined;
    const m: CollectionMeta = {
      name,
      existed: !!found,
      options: found?.options ?? {},
      indexes: [],
      chunks: 0,
      documents: 0,
    };
    if (found) {
      m.indexes = (await db.collection(name).listIndexes().toArray()).map((ix) => {
        const { v: _v, ns: _ns, ...rest } = ix as IndexDescription & { v?: unknown; ns?: unknown };
        return rest;
      });
      const seq = { n: 0 };
      let batch: Document[] = [];
      for await (const doc of db
        .collection(name)
        .find({}, { ...EXACT, batchSize: 1000 })
        .sort({ _id: 1 })) {
        batch.push(doc);
        m.documents++;
        if (batch.length >= chunkSize) {
          await storeChunks(store, ref, name, batch, seq);
          batch = [];
        }
      }
      await storeChunks(store, ref, name, batch, seq);
      m.chunks = seq.n;
    }
    metas.push(m);
  }
  const header: SnapshotHeader = {
    _id: ref,
    kind: 'header',
    state: 'open',
    command: meta.command,
    steps: meta.steps,
    taken_at: new Date(),
    collections: metas,
  };
  await store.insertOne(header);
  return header;
}

/** Puts every collection of the snapshot back as it was (dropping those that did not exist). */
export async function restoreSnapshot(db: Db, storeName: string, ref: string): Promise<void> {
  const store = db.collection<SnapshotDoc>(storeName);
  const header = (await store.findOne({ _id: ref, kind: 'header' })) as SnapshotHeader | null;
  if (!header) throw createError('plugin-mongo', `snapshot "${ref}" not found in ${storeName}`);
  for (const m of header.collections) {
    await db
      .collection(m.name)
      .drop()
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 26) throw error;
      });
    if (!m.existed) continue;
    await db.createCollection(m.name, m.options);
    const indexes = m.indexes.filter((ix) => ix.name !== '_id_');
    if (indexes.length > 0) await db.collection(m.name).createIndexes(indexes as never);
    const chunks = store
      .find({ kind: 'chunk', ref, collection: m.name } as never, { ...EXACT, batchSize: 1 })
      .sort({ seq: 1 });
    for await (const chunk of chunks) {
      const docs = (chunk as SnapshotChunk).docs;
      if (docs.length > 0) await db.collection(m.name).insertMany(docs, { ordered: true });
    }
  }
}

export async function dropSnapshot(db: Db, storeName: string, ref: string): Promise<void> {
  const store = db.collection<SnapshotDoc>(storeName);
  await store.deleteMany({ ref } as never);
  await store.deleteOne({ _id: ref });
}

export function snapshotGuard(options: SnapshotGuardOptions): Guard<MongoTarget> {
  const keep = options.keep ?? 1;
  return defineGuard<MongoTarget>({
    name: 'mongo-snapshot',
    async aroundRun(ctx: GuardContext<MongoTarget>, next) {
      const collections = options.touches(ctx.steps);
      if (collections.length === 0) return next();
      const db = dbOf(ctx.target);
      const ref = `${ctx.runId}`;
      // We hold the lock, so an open snapshot is a crashed run's. Its finished steps are in the ledger and its
      // steps are idempotent, so it is not restored; it is marked abandoned and pruned like a committed one.
      const stale = await db
        .collection<SnapshotDoc>(options.collection)
        .updateMany({ kind: 'header', state: 'open' } as never, { $set: { state: 'abandoned' } });
      if (stale.modifiedCount > 0) ctx.emit('stale-snapshot-abandoned', { count: stale.modifiedCount });
      const header = await takeSnapshot(
        db,
        options.collection,
        ref,
        collections,
        { command: ctx.command, steps: [...ctx.steps] },
        options.chunkSize,
      );
      ctx.snapshotTaken(ref);
      ctx.emit('snapshot-taken', {
        ref,
        collections: header.collections.map((c) => `${c.name}:${c.existed ? c.documents : 'absent'}`),
      });
      try {
        await next();
      } catch (error) {
        try {
          await restoreSnapshot(db, options.collection, ref);
        } catch (restoreError) {
          throw new Error(
            `${describeError(error)}; restoring snapshot "${ref}" also failed (${describeError(restoreError)}): it is kept in ${options.collection}, restore it with restoreSnapshot(db, "${options.collection}", "${ref}")`,
            { cause: error },
          );
        }
        ctx.restored();
        ctx.emit('snapshot-restored', { ref });
        await dropSnapshot(db, options.collection, ref);
        throw error;
      }
      const store = db.collection<SnapshotDoc>(options.collection);
      await store.updateOne({ _id: ref }, { $set: { state: 'committed' } });
      const older = await store
        .find({ kind: 'header', state: { $in: ['committed', 'abandoned'] } } as never, { projection: { _id: 1 } })
        .sort({ taken_at: -1 })
        .skip(keep)
        .toArray();
      for (const old of older) await dropSnapshot(db, options.collection, String(old._id));
    },
    async restore(ctx, ref) {
      await restoreSnapshot(dbOf(ctx.target), options.collection, ref);
    },
  });
}
