// Beyond the harness's fault after each step: a fault at EVERY write the run makes (DDL, the 002 update,
// undo records, ledger, lock, snapshot bookkeeping), before or after the server applied it. Each leaves the
// database equal to x or to up(x), the ledger saying which, and a rerun completes.
import { createRunner } from '@tidemark/core';
import type { Db } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { mongoPlugin } from './plugin.js';
import { readState, stateText } from './state.js';
import { useBackend, freshDb } from './test/backend.js';
import { faultyDb, type FaultPlan } from './test/faulty-db.js';
import { labletWorker, legacyWorker } from './test/workers.js';

const mongo = useBackend();

async function legacyDb(): Promise<Db> {
  const db = await freshDb(mongo.client);
  await db
    .collection('cml_workers')
    .insertMany([legacyWorker(1), legacyWorker(2, { port_range_start: 4000 }), labletWorker(3)] as never[]);
  await db.collection('scaling_audit_events').createIndex({ timestamp: 1 });
  return db;
}

const exact = async (db: Db) => stateText(await readState(db, { exact: true }));
const lock = { ttlMs: 1000, pollMs: 10 };

describe('a fault at every write of a run', () => {
  for (const after of [false, true]) {
    test(`fault ${after ? 'after' : 'instead of'} the k-th write, for every k`, { timeout: 120_000 }, async () => {
      const reference = await legacyDb();
      const x = await exact(reference);
      await createRunner({ plugin: mongoPlugin(), target: reference, lock }).up();
      const upX = await exact(reference);
      await reference.dropDatabase();

      const fired: string[] = [];
      for (let k = 1; k < 200; k++) {
        const db = await legacyDb();
        try {
          const plan: FaultPlan = { at: k, after, seen: 0 };
          const plugin = mongoPlugin();
          const outcome = await createRunner({ plugin, target: faultyDb(db, plan), lock })
            .up()
            .then(
              () => 'ok',
              (e: unknown) => e,
            );
          if (!plan.fired) {
            expect(outcome, `no fault at write ${k}: the run must succeed`).toBe('ok');
            expect(fired.length, 'faults were injected').toBeGreaterThan(20);
            return;
          }
          fired.push(plan.fired);
          const state = await exact(db);
          const applied = (await plugin.ledger(db).read()).filter((e) => e.outcome === 'applied').map((e) => e.id);
          if (state === x)
            expect(applied, `fault at write ${k} (${plan.fired}): target is x, ledger must claim nothing`).toEqual([]);
          else {
            expect(state, `fault at write ${k} (${plan.fired}): target must be x or up(x)`).toBe(upX);
            expect(applied, `fault at write ${k} (${plan.fired}): target is up(x), ledger must say so`).toEqual([
              '001_lablet_collections',
              '002_cml_worker_extensions',
            ]);
          }
          await createRunner({ plugin, target: db, lock }).up();
          expect(await exact(db), `rerun after a fault at write ${k} (${plan.fired})`).toBe(upX);
        } finally {
          await db.dropDatabase();
        }
      }
      throw new Error('the run never completed without a fault');
    });
  }
});
