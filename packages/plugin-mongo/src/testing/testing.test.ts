// The harnesses of `@tidemark/plugin-mongo/testing`: the shipped corpus passes through mongoHarness
// unchanged, and an app migration's new field shows in the state read by mongoAppHarness.
import { fileURLToPath } from 'node:url';
import { createRunner, defineMigration } from '@tidemark/core';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, test } from 'vitest';
import { dbOf, type MongoTarget } from '../target.js';
import { startBackend } from '../test/backend.js';
import { goldenStates, mongoAppHarness, mongoHarness } from './index.js';

const CORPUS = fileURLToPath(new URL('../../../../fixtures/plugin-mongo/', import.meta.url));
const backend = await startBackend();
const client = await new MongoClient(backend.uri, { serverSelectionTimeoutMS: 5000 }).connect();
afterAll(async () => {
  await client.close();
  await backend.close();
});

const shipped = mongoHarness({ client, states: await goldenStates(CORPUS) });
describeGolden(shipped, { dir: CORPUS });
describeLaws(shipped, { runs: 2 });

const addPlan = defineMigration<MongoTarget>({
  id: '001_app_plan',
  title: 'accounts.plan = "free"',
  async up(ctx) {
    await dbOf(ctx.target)
      .collection('accounts')
      .updateMany({ plan: { $exists: false } }, { $set: { plan: 'free' } });
  },
});

describe('mongoAppHarness', () => {
  test("an app's new field shows in the state; Tidemark's bookkeeping does not", async () => {
    const harness = mongoAppHarness({ client, migrations: [addPlan], touches: { '001_app_plan': ['accounts'] } });
    expect(harness.reversible).toBe(false);
    const target = await harness.create({ accounts: { indexes: [], documents: [{ _id: 'a1' }] } });
    try {
      await createRunner({ plugin: harness.plugin as never, target }).up();
      expect(await harness.read(target)).toEqual({
        accounts: { indexes: [], documents: [{ _id: 'a1', plan: 'free' }] },
      });
    } finally {
      await harness.dispose(target);
    }
  });
});
