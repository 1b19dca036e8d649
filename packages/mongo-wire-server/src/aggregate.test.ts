import type { Collection } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('aggregate on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  let instances: Collection;
  beforeEach(async () => {
    env = await openDatabase(backend);
    instances = env.db.collection('lablet_instances');
    await instances.insertMany([
      { _id: 1 as never, state: { state: 'running', worker_id: 'w1', nodes: 4 }, tags: ['a', 'b'] },
      { _id: 2 as never, state: { state: 'running', worker_id: 'w2', nodes: 2 }, tags: ['b'] },
      { _id: 3 as never, state: { state: 'pending', worker_id: 'w1', nodes: 8 }, tags: [] },
    ]);
    await env.db.collection('cml_workers').insertMany([
      { _id: 'w1' as never, name: 'worker one' },
      { _id: 'w2' as never, name: 'worker two' },
    ]);
  });
  afterEach(async () => {
    await env.dispose();
  });

  test('$match, $group, $sort, $project', async () => {
    const perWorker = await instances
      .aggregate([
        { $match: { 'state.nodes': { $gte: 2 } } },
        { $group: { _id: '$state.worker_id', nodes: { $sum: '$state.nodes' }, count: { $sum: 1 } } },
        { $sort: { _id: 1 } },
        { $project: { _id: 0, worker: '$_id', nodes: 1, count: 1 } },
      ])
      .toArray();
    expect(perWorker).toEqual([
      { nodes: 12, count: 2, worker: 'w1' },
      { nodes: 2, count: 1, worker: 'w2' },
    ]);
  });

  test('$unwind, $count, $lookup, $facet, $addFields', async () => {
    expect(await instances.aggregate([{ $unwind: '$tags' }, { $count: 'n' }]).toArray()).toEqual([{ n: 3 }]);
    const joined = await instances
      .aggregate([
        { $match: { _id: 2 } },
        { $lookup: { from: 'cml_workers', localField: 'state.worker_id', foreignField: '_id', as: 'worker' } },
        { $addFields: { workerName: { $first: '$worker.name' } } },
        { $project: { workerName: 1 } },
      ])
      .toArray();
    expect(joined).toEqual([{ _id: 2, workerName: 'worker two' }]);
    const [facets] = await instances
      .aggregate([
        { $facet: { running: [{ $match: { 'state.state': 'running' } }, { $count: 'n' }], all: [{ $count: 'n' }] } },
      ])
      .toArray();
    expect(facets).toEqual({ running: [{ n: 2 }], all: [{ n: 3 }] });
  });

  test('aggregation does not change stored documents', async () => {
    await instances.aggregate([{ $set: { 'state.nodes': 0 } }, { $unset: 'tags' }]).toArray();
    expect(await instances.findOne({ _id: 1 as never })).toMatchObject({ state: { nodes: 4 }, tags: ['a', 'b'] });
  });

  test('$out writes a collection; $merge upserts into one', async () => {
    await instances
      .aggregate([
        { $match: { 'state.state': 'running' } },
        { $project: { worker: '$state.worker_id' } },
        { $out: 'running' },
      ])
      .toArray();
    expect(await env.db.collection('running').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, worker: 'w1' },
      { _id: 2, worker: 'w2' },
    ]);
    await instances
      .aggregate([
        { $match: { _id: { $in: [2, 3] } } },
        { $project: { worker: '$state.worker_id', merged: { $literal: true } } },
        { $merge: { into: 'running' } },
      ])
      .toArray();
    expect(await env.db.collection('running').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, worker: 'w1' },
      { _id: 2, worker: 'w2', merged: true },
      { _id: 3, worker: 'w1', merged: true },
    ]);
  });

  test('countDocuments goes through aggregate', async () => {
    expect(await instances.countDocuments({ 'state.worker_id': 'w1' })).toBe(2);
    expect(await env.db.collection('nothing').countDocuments()).toBe(0);
  });
});
