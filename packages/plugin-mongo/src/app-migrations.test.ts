// An app's own migrations run after the shipped ones (traits unchanged; `requires` may name a shipped id);
// the collections it declares in `touches` are in the run snapshot, so a failed run puts them back.
import { createRunner, defineMigration, type TidemarkEvent } from '@tidemark/core';
import { describe, expect, test } from 'vitest';
import { mongoPlugin } from './plugin.js';
import { dbOf, type MongoTarget } from './target.js';
import { freshDb, useBackend } from './test/backend.js';
import { legacyWorker } from './test/workers.js';

const mongo = useBackend();

const appMigration = defineMigration<MongoTarget>({
  id: '003_app_worker_note',
  title: 'app: cml_workers.state.note',
  requires: ['002_cml_worker_extensions'],
  async up(ctx) {
    await dbOf(ctx.target)
      .collection('cml_workers')
      .updateMany({}, { $set: { 'state.note': 'app' } });
  },
});

describe('mongoPlugin({ migrations })', () => {
  test('the app migration runs after the two shipped ones', async () => {
    const plugin = mongoPlugin({ migrations: [appMigration] });
    const shipped = mongoPlugin();
    expect(plugin.migrations.map((m) => m.id)).toEqual([...shipped.migrations.map((m) => m.id), '003_app_worker_note']);
    expect(plugin.traits!.map((t) => t.id)).toEqual(shipped.traits!.map((t) => t.id));
    const db = await freshDb(mongo.client);
    try {
      await db.collection('cml_workers').insertMany([legacyWorker(0), legacyWorker(1)] as never[]);
      const started: string[] = [];
      const onEvent = (e: TidemarkEvent) => void (e.type === 'step:started' && started.push(e.migration));
      await createRunner({ plugin, target: db, onEvent }).up();
      expect(started).toEqual(['001_lablet_collections', '002_cml_worker_extensions', '003_app_worker_note']);
      expect(await db.collection('cml_workers').countDocuments({ 'state.note': 'app' })).toBe(2);
    } finally {
      await db.dropDatabase();
    }
  });

  test('a failing app migration listed in touches is undone by the run snapshot', async () => {
    const failing = defineMigration<MongoTarget>({
      ...appMigration,
      async up(ctx) {
        await appMigration.up(ctx);
        throw new Error('app step broke');
      },
    });
    const db = await freshDb(mongo.client);
    try {
      await db.collection('cml_workers').insertMany([legacyWorker(0)] as never[]);
      await createRunner({ plugin: mongoPlugin(), target: db }).up();
      const before = await db.collection('cml_workers').find({}).toArray();
      const plugin = mongoPlugin({ migrations: [failing], touches: { '003_app_worker_note': ['cml_workers'] } });
      await expect(createRunner({ plugin, target: db }).up()).rejects.toThrow(/app step broke/);
      expect(await db.collection('cml_workers').find({}).toArray()).toEqual(before);
    } finally {
      await db.dropDatabase();
    }
  });
});
