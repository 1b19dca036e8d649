import { createRunner, defineMigration, definePlugin, type TidemarkEvent } from '@tidemark/core';
import { withFaultAfter } from '@tidemark/testing';
import { Binary, Decimal128, Double, Int32, Long, type Db } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LABLET_COLLECTIONS_ID } from '../migrations/001_lablet_collections.js';
import { WORKER_EXTENSIONS_ID } from '../migrations/002_cml_worker_extensions.js';
import { mongoPlugin } from '../plugin.js';
import { readState, stateText } from '../state.js';
import { dbOf, type MongoTarget } from '../target.js';
import { useBackend, freshDb } from '../test/backend.js';
import { labletWorker, legacyWorker } from '../test/workers.js';
import { restoreSnapshot, snapshotGuard, takeSnapshot } from './snapshot.js';

const mongo = useBackend();
let db: Db;
beforeEach(async () => {
  db = await freshDb(mongo.client);
});
afterEach(async () => {
  await db.dropDatabase();
});

const exact = async () => stateText(await readState(db, { exact: true }));

async function seedLegacy(): Promise<void> {
  await db
    .collection('cml_workers')
    .insertMany([legacyWorker(1), legacyWorker(2, { port_range_start: 4000 }), labletWorker(3)] as never[]);
  await db.collection('scaling_audit_events').createIndex({ timestamp: 1 });
}

describe('run-level snapshot guard', () => {
  for (const failing of [LABLET_COLLECTIONS_ID, WORKER_EXTENSIONS_ID]) {
    test(`a fault after ${failing} leaves the database exactly as before and the ledger says so`, async () => {
      await seedLegacy();
      const before = await exact();
      const events: TidemarkEvent[] = [];
      const plugin = mongoPlugin();
      await expect(
        createRunner({ plugin: withFaultAfter(plugin, failing), target: db, onEvent: (e) => events.push(e) }).up(),
      ).rejects.toThrow(/injected fault/);
      expect(await exact()).toBe(before);
      const entries = await plugin.ledger(db).read();
      expect(entries.filter((e) => e.outcome === 'applied')).toEqual([]);
      expect(entries.find((e) => e.id === failing)?.outcome).toBe('failed');
      expect(events.some((e) => e.type === 'guard' && e.action === 'snapshot-restored')).toBe(true);
      // The restored snapshot is not left behind.
      expect(await db.collection('_tidemark_snapshots').countDocuments({})).toBe(0);
      // A rerun completes.
      const rerun = await createRunner({ plugin, target: db }).up();
      expect(rerun.applied).toEqual([LABLET_COLLECTIONS_ID, WORKER_EXTENSIONS_ID]);
    });
  }

  test('snapshots keep exact BSON types, collection options and indexes; absent collections are dropped again', async () => {
    await db.createCollection('typed', { validator: { $jsonSchema: { bsonType: 'object' } } });
    await db.collection('typed').createIndex({ 'a.b': -1 }, { name: 'ab', sparse: true });
    await db.collection('typed').insertMany([
      {
        _id: 1 as never,
        long: Long.fromString('9007199254740993'),
        small: Long.fromNumber(5),
        int: new Int32(7),
        dbl: new Double(7),
        dec: Decimal128.fromString('1.10'),
        bin: new Binary(Buffer.from([1, 2, 3])),
        re: /x+/i,
        nested: { z: 1, a: [1, { b: 2 }] },
      },
      { _id: 2 as never, note: 'second' },
    ]);
    const before = await exact();
    await takeSnapshot(db, '_tidemark_snaps', 'r1', ['typed', 'not_there'], { command: 'up', steps: [] }, 1);
    await db.collection('typed').updateMany({}, { $set: { changed: true } });
    await db.collection('typed').dropIndex('ab');
    await db.collection('not_there').insertOne({ x: 1 });
    await restoreSnapshot(db, '_tidemark_snaps', 'r1');
    expect(await exact()).toBe(before);
  });

  test('a failing `down` is rolled back too', async () => {
    await seedLegacy();
    const plugin = mongoPlugin();
    await createRunner({ plugin, target: db }).up();
    const after = await exact();
    const broken = {
      ...plugin,
      migrations: plugin.migrations.map((m) =>
        m.id === LABLET_COLLECTIONS_ID
          ? {
              ...m,
              down: async (ctx: Parameters<NonNullable<typeof m.down>>[0]) => {
                await m.down!(ctx);
                throw new Error('disk full');
              },
            }
          : m,
      ),
    };
    await expect(createRunner({ plugin: broken, target: db }).down({ to: null })).rejects.toThrow(/disk full/);
    expect(await exact()).toBe(after);
  });

  test('keeps only the newest committed snapshots', async () => {
    const touch = (id: string) =>
      defineMigration<MongoTarget>({
        id,
        title: id,
        async up(ctx) {
          await dbOf(ctx.target).collection('c').insertOne({ id });
        },
      });
    const plugin = definePlugin<MongoTarget>({
      ...mongoPlugin(),
      migrations: [touch('a'), touch('b'), touch('c')],
      traits: [],
      guards: [snapshotGuard({ collection: '_tidemark_snapshots', touches: () => ['c'], keep: 2 })],
    });
    for (const to of ['a', 'b', 'c']) await createRunner({ plugin, target: db }).up({ to });
    const headers = await db.collection('_tidemark_snapshots').find({ kind: 'header' }).toArray();
    expect(headers).toHaveLength(2);
    expect(headers.every((h) => h.state === 'committed')).toBe(true);
  });

  test("a crashed run's open snapshot is marked abandoned and pruned, not restored", async () => {
    await seedLegacy();
    await db.collection('_tidemark_snapshots').insertOne({
      _id: 'crashed-run' as never,
      kind: 'header',
      state: 'open',
      command: 'up',
      steps: [],
      taken_at: new Date(0),
      collections: [],
    });
    await db.collection('_tidemark_snapshots').insertOne({
      _id: 'crashed-run/cml_workers/0' as never,
      kind: 'chunk',
      ref: 'crashed-run',
      collection: 'cml_workers',
      seq: 0,
      docs: [],
    });
    const events: TidemarkEvent[] = [];
    await createRunner({ plugin: mongoPlugin(), target: db, onEvent: (e) => events.push(e) }).up();
    expect(events.some((e) => e.type === 'guard' && e.action === 'stale-snapshot-abandoned')).toBe(true);
    expect(await db.collection('_tidemark_snapshots').countDocuments({ ref: 'crashed-run' })).toBe(0);
    const headers = await db.collection('_tidemark_snapshots').find({ kind: 'header' }).toArray();
    expect(headers.map((h) => h.state)).toEqual(['committed']);
  });
});
