import { MongoServerError, type Collection } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('transactions on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  let workers: Collection;
  beforeEach(async () => {
    env = await openDatabase(backend);
    workers = env.db.collection('cml_workers');
    await workers.insertMany([
      { _id: 1 as never, state: { name: 'w1', status: 'running' } },
      { _id: 2 as never, state: { name: 'w2', status: 'stopped' } },
    ]);
    await workers.createIndex({ 'state.name': 1 }, { unique: true });
  });
  afterEach(async () => {
    await env.dispose();
  });

  const snapshot = async () => ({
    workers: await workers.find().sort({ _id: 1 }).toArray(),
    collections: (await env.db.listCollections().toArray()).map((c) => c.name).sort(),
  });

  test('withTransaction commits every statement together', async () => {
    const session = env.client.startSession();
    try {
      await session.withTransaction(async () => {
        await workers.insertOne({ _id: 3 as never, state: { name: 'w3' } }, { session });
        await workers.updateMany({}, { $set: { 'state.template_name': null } }, { session });
        await workers.deleteOne({ _id: 2 as never }, { session });
        await env.db.collection('migrations').insertOne({ name: '002', applied_at: new Date() }, { session });
      });
    } finally {
      await session.endSession();
    }
    const after = await snapshot();
    expect(after.workers.map((w) => w._id)).toEqual([1, 3]);
    expect(after.workers.every((w) => w.state.template_name === null)).toBe(true);
    expect(await env.db.collection('migrations').countDocuments()).toBe(1);
  });

  test('abortTransaction really rolls back inserts, updates, deletes and new collections', async () => {
    const before = await snapshot();
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await workers.insertOne({ _id: 3 as never, state: { name: 'w3' } }, { session });
      await workers.updateMany({}, { $set: { touched: true } }, { session });
      await workers.deleteOne({ _id: 1 as never }, { session });
      await env.db.collection('lablet_instances').insertOne({ a: 1 }, { session });
      await env.db.collection('lablet_instances').createIndex({ a: 1 }, { unique: true, session });
      expect(
        (await env.db.collection('lablet_instances').listIndexes({ session }).toArray()).map((i) => i.name),
      ).toContain('a_1');
      // the transaction sees its own writes
      expect(await workers.countDocuments({ touched: true }, { session })).toBe(2);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await snapshot()).toEqual(before);
  });

  test('an error thrown inside withTransaction leaves nothing behind', async () => {
    const before = await snapshot();
    const session = env.client.startSession();
    await expect(
      session.withTransaction(async () => {
        await workers.updateOne({ _id: 1 as never }, { $set: { 'state.status': 'draining' } }, { session });
        throw new Error('migration step failed');
      }),
    ).rejects.toThrow('migration step failed');
    await session.endSession();
    expect(await snapshot()).toEqual(before);
  });

  test('uncommitted writes are invisible to other sessions until commit', async () => {
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await workers.updateOne({ _id: 1 as never }, { $set: { 'state.status': 'gone' } }, { session });
      await workers.insertOne({ _id: 9 as never, state: { name: 'w9' } }, { session });
      expect(await workers.findOne({ _id: 1 as never })).toMatchObject({ state: { status: 'running' } });
      expect(await workers.findOne({ _id: 9 as never })).toBeNull();
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await workers.findOne({ _id: 1 as never })).toMatchObject({ state: { status: 'gone' } });
    expect(await workers.findOne({ _id: 9 as never })).not.toBeNull();
  });

  test('a duplicate key inside a transaction aborts it; nothing from it is kept', async () => {
    const before = await snapshot();
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await workers.insertOne({ _id: 5 as never, state: { name: 'w5' } }, { session });
      const dup = await workers
        .insertOne({ _id: 6 as never, state: { name: 'w1' } }, { session })
        .catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(MongoServerError);
      expect(dup).toMatchObject({ code: 11000 });
      await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
    } finally {
      await session.endSession();
    }
    expect(await snapshot()).toEqual(before);
  });

  test('writes to other documents of the same collection do not conflict', async () => {
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await workers.updateOne({ _id: 1 as never }, { $set: { mine: true } }, { session });
      await workers.updateOne({ _id: 2 as never }, { $set: { theirs: true } }); // outside the transaction
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await workers.findOne({ _id: 1 as never })).toMatchObject({ mine: true });
    expect(await workers.findOne({ _id: 2 as never })).toMatchObject({ theirs: true });
  });

  test('findOneAndUpdate with upsert inside a transaction (a lock document)', async () => {
    const locks = env.db.collection('locks');
    await locks.createIndex({ name: 1 }, { unique: true });
    const session = env.client.startSession();
    try {
      await session.withTransaction(async () => {
        const lock = await locks.findOneAndUpdate(
          { name: 'migrations', holder: null },
          { $set: { holder: 'a', until: new Date(Date.now() + 1000) } },
          { upsert: true, returnDocument: 'after', session },
        );
        expect(lock).toMatchObject({ name: 'migrations', holder: 'a' });
      });
    } finally {
      await session.endSession();
    }
    expect(await locks.countDocuments()).toBe(1);
  });
});

describe('transaction conflicts (this server only)', () => {
  test('a transaction whose document was changed by someone else fails with a retryable WriteConflict', async () => {
    const env = await openDatabase(backends[0] as (typeof backends)[number]);
    try {
      const coll = env.db.collection('c');
      await coll.insertOne({ _id: 1 as never, n: 0 });
      const session = env.client.startSession();
      session.startTransaction();
      await coll.updateOne({ _id: 1 as never }, { $inc: { n: 1 } }, { session });
      await coll.updateOne({ _id: 1 as never }, { $inc: { n: 10 } });
      const error = await session.commitTransaction().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 112 });
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await session.endSession();
      expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 10 });

      // withTransaction retries a transient conflict and then succeeds
      const retrying = env.client.startSession();
      let attempts = 0;
      await retrying.withTransaction(async () => {
        attempts++;
        await coll.updateOne({ _id: 1 as never }, { $inc: { n: 1 } }, { session: retrying });
        if (attempts === 1) await coll.updateOne({ _id: 1 as never }, { $inc: { n: 100 } });
      });
      await retrying.endSession();
      expect(attempts).toBe(2);
      expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 111 });
    } finally {
      await env.dispose();
    }
  });
});
