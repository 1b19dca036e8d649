// mongoAppPlugin: an app's own migrations on plugin-mongo's ledger/lock kit, sharing one database with
// mongoPlugin in either order (separate ledgers), started by core's runPendingMigrations.
import { createRunner, defineMigration, runPendingMigrations } from '@tidemark/core';
import { describe, expect, test } from 'vitest';
import { mongoAppPlugin, APP_DEFAULT_NAMES } from './app-plugin.js';
import { mongoPlugin } from './plugin.js';
import { readState } from './state.js';
import { dbOf, type MongoTarget } from './target.js';
import { freshDb, useBackend } from './test/backend.js';
import { legacyWorker } from './test/workers.js';

const mongo = useBackend();

const addPlan = defineMigration<MongoTarget>({
  id: '001_app_plan',
  title: 'accounts.plan = "free"',
  async up(ctx) {
    await dbOf(ctx.target)
      .collection('accounts')
      .updateMany({ plan: { $exists: false } }, { $set: { plan: 'free' } });
  },
  async down(ctx) {
    await dbOf(ctx.target)
      .collection('accounts')
      .updateMany({}, { $unset: { plan: '' } });
  },
});

describe('mongoAppPlugin', () => {
  for (const order of [
    ['app', 'shipped'],
    ['shipped', 'app'],
  ] as const) {
    test(`runs beside mongoPlugin (${order.join(' then ')}) with its own ledger`, async () => {
      const db = await freshDb(mongo.client);
      try {
        await db.collection('accounts').insertMany([{ _id: 'a1' }, { _id: 'a2', plan: 'pro' }] as never[]);
        await db.collection('cml_workers').insertMany([legacyWorker(0)] as never[]);
        const plugins = { app: mongoAppPlugin({ migrations: [addPlan] }), shipped: mongoPlugin() };
        for (const which of order) {
          const result = await runPendingMigrations({
            plugin: plugins[which],
            target: db,
            contexts: ['LABLET_ENABLED', 'SCHEDULER_ENABLED', 'CONTROLLER_ENABLED'],
          });
          expect(result.outcome).toBe('migrated');
        }
        expect(await db.collection('accounts').find({}).sort({ _id: 1 }).toArray()).toEqual([
          { _id: 'a1', plan: 'free' },
          { _id: 'a2', plan: 'pro' },
        ]);
        expect((await db.collection(APP_DEFAULT_NAMES.ledger).find({}).toArray()).map((d) => d.name)).toEqual([
          '001_app_plan',
        ]);
        expect((await db.collection('migrations').find({}).toArray()).map((d) => d.name).sort()).toEqual([
          '001_lablet_collections',
          '002_cml_worker_extensions',
        ]);
        // Neither plugin's state shows the other's bookkeeping; the app's collection shows in both.
        expect(Object.keys(await readState(db))).toContain('accounts');
        expect(Object.keys(await readState(db)).filter((n) => n.includes('migrations'))).toEqual([]);
        expect((await runPendingMigrations({ plugin: plugins.app, target: db })).outcome).toBe('up-to-date');
      } finally {
        await db.dropDatabase();
      }
    });
  }

  test('a failing step of a touched collection is put back by the run snapshot', async () => {
    const db = await freshDb(mongo.client);
    try {
      await db.collection('accounts').insertMany([{ _id: 'a1' }] as never[]);
      const broken = defineMigration<MongoTarget>({
        id: '002_app_broken',
        title: 'half a change, then a failure',
        requires: ['001_app_plan'],
        async up(ctx) {
          await dbOf(ctx.target)
            .collection('accounts')
            .updateMany({}, { $set: { broken: true } });
          throw new Error('app step failed');
        },
      });
      const plugin = mongoAppPlugin({
        migrations: [addPlan, broken],
        touches: { '001_app_plan': ['accounts'], '002_app_broken': ['accounts'] },
      });
      await expect(createRunner({ plugin, target: db }).up()).rejects.toThrow(/app step failed/);
      expect(await db.collection('accounts').find({}).toArray()).toEqual([{ _id: 'a1' }]);
      expect(await db.collection(APP_DEFAULT_NAMES.ledger).countDocuments({ outcome: 'applied' })).toBe(0);
    } finally {
      await db.dropDatabase();
    }
  });
});
