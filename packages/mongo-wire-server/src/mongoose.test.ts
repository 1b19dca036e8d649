import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMongoWireServer, type MongoWireServer } from './index.js';
import { randomDbName } from './test/backends.js';

const realUrl = process.env.MONGO_URL;
const targets: Array<{ name: string; start: () => Promise<{ uri: string; close: () => Promise<void> }> }> = [
  {
    name: 'mongo-wire-server',
    start: async () => {
      const server: MongoWireServer = await startMongoWireServer();
      return { uri: server.uri, close: server.close };
    },
  },
];
if (realUrl)
  targets.push({ name: 'real mongod (MONGO_URL)', start: async () => ({ uri: realUrl, close: async () => {} }) });

describe.each(targets)('mongoose on $name', (target) => {
  let server: { uri: string; close: () => Promise<void> };
  let connection: mongoose.Connection;

  const workerSchema = new Schema(
    {
      state: {
        name: { type: String, required: true, unique: true },
        status: { type: String, default: 'running' },
        template_name: { type: String, default: null },
        declared_capacity: { cpu_cores: Number, memory_gb: Number },
      },
    },
    { collection: 'cml_workers' },
  );

  beforeAll(async () => {
    server = await target.start();
    connection = await mongoose
      .createConnection(server.uri, { dbName: randomDbName('mongoose'), serverSelectionTimeoutMS: 5000 })
      .asPromise();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await server.close();
  });

  test('schema, model, create, find, updateMany, unique index violation, aborted transaction leaves nothing', async () => {
    const Worker = connection.model('Worker', workerSchema);
    await Worker.init(); // creates the collection and the unique index from the schema
    const indexes = await Worker.collection.listIndexes().toArray();
    expect(indexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { 'state.name': 1 }, unique: true })]),
    );

    await Worker.create([{ state: { name: 'w1' } }, { state: { name: 'w2', status: 'stopped' } }]);
    const running = await Worker.find({ 'state.status': 'running' }).lean();
    expect(running.map((w) => w.state?.name)).toEqual(['w1']);

    const updated = await Worker.updateMany(
      { 'state.template_name': null },
      { $set: { 'state.declared_capacity': { cpu_cores: 48, memory_gb: 192 } } },
    );
    expect(updated).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const w2 = await Worker.findOne({ 'state.name': 'w2' });
    if (!w2?.state) throw new Error('w2 not found');
    expect(w2.state.declared_capacity?.cpu_cores).toBe(48);
    w2.state.status = 'running';
    await w2.save();
    expect(await Worker.countDocuments({ 'state.status': 'running' })).toBe(2);

    await expect(Worker.create({ state: { name: 'w1' } })).rejects.toMatchObject({
      code: 11000,
      keyValue: { 'state.name': 'w1' },
    });

    const before = await Worker.find().sort({ _id: 1 }).lean();
    await expect(
      connection.transaction(async (session) => {
        await Worker.create([{ state: { name: 'w3' } }], { session });
        await Worker.updateMany({}, { $set: { 'state.status': 'draining' } }, { session });
        await Worker.deleteOne({ 'state.name': 'w1' }, { session });
        throw new Error('abort this migration');
      }),
    ).rejects.toThrow('abort this migration');
    expect(await Worker.find().sort({ _id: 1 }).lean()).toEqual(before);

    await connection.transaction(async (session) => {
      await Worker.create([{ state: { name: 'w3' } }], { session });
    });
    expect(await Worker.countDocuments()).toBe(3);

    const found = await Worker.findOneAndUpdate(
      { 'state.name': 'w4' },
      { $set: { 'state.status': 'new' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(found.state?.status).toBe('new');
    expect((await Worker.deleteMany({ 'state.status': 'new' })).deletedCount).toBe(1);
  });
});
