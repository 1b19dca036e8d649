import { runPendingMigrations, type TidemarkEvent } from '@tidemark/core';
import type { CommandStartedEvent } from 'mongodb';
import mongoose from 'mongoose';
import { describe, expect, test } from 'vitest';
import { contextsFromFlags } from './flags.js';
import { describeTarget } from './target.js';
import { useBackend, connect, randomDbName } from './test/backend.js';
import { legacyWorker } from './test/workers.js';
import { mongoPlugin } from './plugin.js';

const mongo = useBackend();

const ALL_ON = { LABLET_ENABLED: 'true', SCHEDULER_ENABLED: 'true', CONTROLLER_ENABLED: 'true' };

async function mongooseConnection(dbName: string): Promise<mongoose.Connection> {
  return mongoose.createConnection(mongo.backend.uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
}

describe('runPendingMigrations (app startup)', () => {
  test('8 replicas booting at once on their own mongoose connections apply each migration exactly once', async () => {
    const name = randomDbName();
    await mongo.client
      .db(name)
      .collection('cml_workers')
      .insertMany(Array.from({ length: 50 }, (_, i) => legacyWorker(i)) as never[]);
    const connections = await Promise.all(Array.from({ length: 8 }, () => mongooseConnection(name)));
    try {
      const started: string[] = [];
      const results = await Promise.all(
        connections.map((c) =>
          runPendingMigrations({
            plugin: mongoPlugin(),
            target: { connection: c },
            contexts: contextsFromFlags(ALL_ON),
            lock: { pollMs: 5 },
            onEvent: (e: TidemarkEvent) => e.type === 'step:started' && started.push(e.migration),
          }),
        ),
      );
      expect(started.sort()).toEqual(['001_lablet_collections', '002_cml_worker_extensions']);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(['001_lablet_collections', '002_cml_worker_extensions']);
      const ledger = await mongo.client.db(name).collection('migrations').find({}).toArray();
      expect(ledger.map((d) => [d.name, d.outcome])).toEqual([
        ['001_lablet_collections', 'applied'],
        ['002_cml_worker_extensions', 'applied'],
      ]);
      expect(ledger[0]).toMatchObject({
        checksum: expect.any(String),
        duration: expect.any(Number),
        by: expect.any(String),
        applied_at: expect.any(Date),
      });
      expect(await mongo.client.db(name).collection('migrations_lock').countDocuments({})).toBe(0);
      expect(
        await mongo.client
          .db(name)
          .collection('cml_workers')
          .countDocuments({ 'state.declared_capacity': { $exists: false } }),
      ).toBe(0);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
      await mongo.client.db(name).dropDatabase();
    }
  });

  test('with nothing pending it costs one ledger read and takes no lock', async () => {
    const name = randomDbName();
    const monitored = await connect(mongo.backend, { monitorCommands: true });
    try {
      await runPendingMigrations({
        plugin: mongoPlugin(),
        target: mongo.client.db(name),
        contexts: contextsFromFlags(ALL_ON),
      });
      const seen: CommandStartedEvent[] = [];
      monitored.on('commandStarted', (e) => seen.push(e));
      const result = await runPendingMigrations({
        plugin: mongoPlugin(),
        target: monitored.db(name),
        contexts: contextsFromFlags(ALL_ON),
      });
      expect(result.outcome).toBe('up-to-date');
      const ops = seen.filter((e) => !['hello', 'isMaster', 'ismaster', 'ping', 'endSessions'].includes(e.commandName));
      expect(ops.map((e) => `${e.commandName}:${String(e.command[e.commandName])}`)).toEqual(['find:migrations']);
    } finally {
      await monitored.close();
      await mongo.client.db(name).dropDatabase();
    }
  });

  test('feature flags select migrations: flags off run nothing, SCHEDULER_ENABLED alone runs only 002', async () => {
    const name = randomDbName();
    const db = mongo.client.db(name);
    await db.collection('cml_workers').insertOne(legacyWorker(1) as never);
    try {
      expect(contextsFromFlags({ LABLET_ENABLED: 'false', SCHEDULER_ENABLED: '1' })).toEqual(['SCHEDULER_ENABLED']);
      expect(
        (await runPendingMigrations({ plugin: mongoPlugin(), target: db, contexts: contextsFromFlags({}) })).applied,
      ).toEqual([]);
      expect(await db.collection('migrations').countDocuments({})).toBe(0);
      expect(
        (
          await runPendingMigrations({
            plugin: mongoPlugin(),
            target: db,
            contexts: contextsFromFlags({ SCHEDULER_ENABLED: true }),
          })
        ).applied,
      ).toEqual(['002_cml_worker_extensions']);
      expect((await db.listCollections({ name: 'lablet_definitions' }).toArray()).length).toBe(0);
      expect(
        (
          await runPendingMigrations({
            plugin: mongoPlugin(),
            target: db,
            contexts: contextsFromFlags({ LABLET_ENABLED: 'true' }),
          })
        ).applied,
      ).toEqual(['001_lablet_collections']);
    } finally {
      await db.dropDatabase();
    }
  });

  test('a connection still opening is refused with what to do; once open it migrates; the label carries no credentials', async () => {
    const name = randomDbName();
    const conn = mongoose.createConnection(mongo.backend.uri, { dbName: name, serverSelectionTimeoutMS: 5000 });
    try {
      await expect(
        runPendingMigrations({
          plugin: mongoPlugin(),
          target: { connection: conn },
          contexts: contextsFromFlags(ALL_ON),
        }),
      ).rejects.toThrow(/not open yet \(await mongoose\.connect/);
      await conn.asPromise();
      const result = await runPendingMigrations({
        plugin: mongoPlugin(),
        target: { connection: conn },
        contexts: contextsFromFlags(ALL_ON),
      });
      expect(result.outcome).toBe('migrated');
      expect(describeTarget({ connection: conn })).toContain(`/${name}`);
    } finally {
      await conn.close();
      await mongo.client.db(name).dropDatabase();
    }
    const { MongoClient } = await import('mongodb');
    const secret = new MongoClient('mongodb://admin:s3cr3t-pw@db.internal:27017/?authSource=admin');
    const label = describeTarget(secret.db('cml'));
    expect(label).toBe('mongodb://db.internal:27017/cml');
    expect(label).not.toContain('s3cr3t');
  });

  test('a replica that died holding the lock does not block the next boot: its lease expires and is taken over', async () => {
    const name = randomDbName();
    const db = mongo.client.db(name);
    try {
      await db.collection('migrations_lock').insertOne({
        _id: 'tidemark' as never,
        token: 'dead',
        host: 'old-pod',
        pid: 1,
        since: new Date(),
        expiresAt: new Date(Date.now() + 1500),
      });
      const events: TidemarkEvent[] = [];
      const t0 = Date.now();
      const result = await runPendingMigrations({
        plugin: mongoPlugin(),
        target: db,
        contexts: contextsFromFlags(ALL_ON),
        lock: { pollMs: 20 },
        onEvent: (e) => events.push(e),
      });
      expect(result.applied).toEqual(['001_lablet_collections', '002_cml_worker_extensions']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(events.find((e) => e.type === 'lock:waiting')).toMatchObject({ holder: 'old-pod:1' });
    } finally {
      await db.dropDatabase();
    }
  });
});
