import { newHolder } from '@tidemark/core';
import { describeLedgerConformance } from '@tidemark/testing';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mongoLedger } from './ledger.js';
import { mongoLock } from './lock.js';
import { connect, freshDb, randomDbName, startBackend, type Backend } from './test/backend.js';

let backend: Backend;
let client: MongoClient;
let second: MongoClient;

beforeAll(async () => {
  backend = await startBackend();
  client = await connect(backend);
  second = await connect(backend);
});
afterAll(async () => {
  await second?.close();
  await client?.close();
  await backend?.close();
});

describeLedgerConformance('mongo', async () => {
  const name = randomDbName('tm_ledger');
  return {
    ledger: mongoLedger(client.db(name)),
    other: mongoLedger(second.db(name)),
    cleanup: async () => {
      await client.db(name).dropDatabase();
    },
  };
});

describe('mongo ledger', () => {
  test('entries the seed runner wrote ({ name, applied_at } only) read as applied and adopt the current checksum', async () => {
    const db = await freshDb(client);
    try {
      const at = new Date('2026-01-16T10:00:00Z');
      await db.collection('migrations').insertOne({ name: '001_lablet_collections', applied_at: at });
      const ledger = mongoLedger(db, { checksums: new Map([['001_lablet_collections', 'abc123']]) });
      const [entry] = await ledger.read();
      expect(entry).toMatchObject({
        id: '001_lablet_collections',
        outcome: 'applied',
        checksum: 'abc123',
        at: at.toISOString(),
        runId: 'legacy',
      });
      expect(entry?.note).toMatch(/without a checksum/);

      // Re-recording replaces the seed's document instead of leaving two.
      await ledger.record({
        id: '001_lablet_collections',
        checksum: 'abc123',
        outcome: 'applied',
        at: at.toISOString(),
        durationMs: 5,
        by: 'me@host:1',
        runId: 'r1',
      });
      const docs = await db.collection('migrations').find({ name: '001_lablet_collections' }).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]).toMatchObject({
        name: '001_lablet_collections',
        applied_at: at,
        checksum: 'abc123',
        duration: 5,
        by: 'me@host:1',
        outcome: 'applied',
        run_id: 'r1',
      });
    } finally {
      await db.dropDatabase();
    }
  });

  test("a step's data is kept as JSON text in the document; text that is not JSON is an error naming the collection and migration", async () => {
    const db = await freshDb(client);
    try {
      const ledger = mongoLedger(db);
      const data = { backupId: 'b1', refs: { $ref: 'x', $id: 1 } };
      await ledger.record({
        id: '002_x',
        checksum: 'c',
        outcome: 'applied',
        at: '2026-01-16T10:00:00.000Z',
        durationMs: 1,
        by: 'me@host:1',
        runId: 'r1',
        data,
      });
      expect(await db.collection('migrations').findOne({ name: '002_x' })).toMatchObject({
        data: JSON.stringify(data),
      });
      expect((await ledger.read())[0]?.data).toEqual(data);

      await db.collection('migrations').updateOne({ name: '002_x' }, { $set: { data: '{"backupId": ' } });
      await expect(ledger.read()).rejects.toThrow(
        '[tidemark] [plugin-mongo] migration "002_x" ledger collection "migrations": field "data" is not JSON text',
      );
    } finally {
      await db.dropDatabase();
    }
  });

  test('checkpoints survive a new ledger handle and are cleared', async () => {
    const db = await freshDb(client);
    try {
      await mongoLedger(db).checkpoints.save('002', { after: 'worker-9', n: 9 });
      expect(await mongoLedger(second.db(db.databaseName)).checkpoints.load('002')).toEqual({
        after: 'worker-9',
        n: 9,
      });
      await mongoLedger(db).checkpoints.clear('002');
      expect(await mongoLedger(db).checkpoints.load('002')).toBeNull();
    } finally {
      await db.dropDatabase();
    }
  });
});

describe('mongo lock', () => {
  test('8 holders racing on separate connections: exactly one acquires (the others lose by E11000 or filter)', async () => {
    const db = await freshDb(client);
    const clients = await Promise.all(Array.from({ length: 7 }, () => connect(backend)));
    try {
      const locks = [mongoLock(db), ...clients.map((c) => mongoLock(c.db(db.databaseName)))];
      const holders = locks.map(() => newHolder());
      const won = await Promise.all(locks.map((l, i) => l.acquire(holders[i]!, 30_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = holders[won.indexOf(true)]!;
      expect((await locks[0]!.inspect())?.token).toBe(winner.token);
      const docs = await db.collection('migrations_lock').find({}).toArray();
      expect(docs).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await db.dropDatabase();
    }
  });

  test('an expired lease is taken over; the old holder can no longer renew or release it', async () => {
    const db = await freshDb(client);
    let now = Date.parse('2026-01-16T10:00:00Z');
    const lock = mongoLock(db, { clock: () => now });
    try {
      const crashed = newHolder();
      const next = newHolder();
      expect(await lock.acquire(crashed, 1000)).toBe(true);
      expect(await lock.acquire(next, 1000)).toBe(false);
      now += 1001;
      expect(await lock.inspect()).toBeNull();
      expect(await lock.acquire(next, 1000)).toBe(true);
      expect(await lock.renew(crashed, 1000)).toBe(false);
      await lock.release(crashed);
      expect((await lock.inspect())?.token).toBe(next.token);
      expect(await lock.renew(next, 5000)).toBe(true);
      expect((await lock.inspect())?.expiresAt).toBe(new Date(now + 5000).toISOString());
    } finally {
      await db.dropDatabase();
    }
  });
});
