// The lease pattern a migration lock uses: many clients race for one document guarded by a unique key.
import { MongoClient, MongoServerError } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('concurrent lock acquisition on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  beforeEach(async () => {
    env = await openDatabase(backend);
  });
  afterEach(async () => {
    await env.dispose();
  });

  test('eight clients upserting one lock document: exactly one holds it, the rest see E11000 or a held lock', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => new MongoClient(env.uri).connect()));
    try {
      const dbName = env.db.databaseName;
      await env.db.collection('locks').createIndex({ name: 1 }, { unique: true });
      const attempt = async (client: MongoClient, holder: string) => {
        const now = new Date();
        try {
          const lock = await client
            .db(dbName)
            .collection('locks')
            .findOneAndUpdate(
              { name: 'migrations', $or: [{ holder: null }, { expires: { $lt: now } }] },
              { $set: { holder, expires: new Date(now.getTime() + 30_000) } },
              { upsert: true, returnDocument: 'after' },
            );
          return lock?.holder === holder;
        } catch (error) {
          if (error instanceof MongoServerError && error.code === 11000) return false;
          throw error;
        }
      };
      const results = await Promise.all(clients.map((client, i) => attempt(client, `runner-${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const locks = await env.db.collection('locks').find().toArray();
      expect(locks).toHaveLength(1);
      expect(locks[0]?.holder).toBe(`runner-${results.indexOf(true)}`);

      // released, then taken over once more by exactly one
      await env.db.collection('locks').updateOne({ name: 'migrations' }, { $set: { holder: null } });
      const again = await Promise.all(clients.map((client, i) => attempt(client, `second-${i}`)));
      expect(again.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  test('session commands: endSessions and killAllSessions answer ok', async () => {
    const session = env.client.startSession();
    await env.db.collection('s').insertOne({ a: 1 }, { session });
    await session.endSession();
    const admin = env.client.db('admin');
    expect(await admin.command({ endSessions: [session.id] })).toMatchObject({ ok: 1 });
    expect(await admin.command({ killAllSessions: [] })).toMatchObject({ ok: 1 });
  });
});
