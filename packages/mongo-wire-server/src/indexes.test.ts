import { MongoBulkWriteError, MongoServerError, type Collection } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

const YEAR = 365 * 24 * 60 * 60;

describe.each(backends)('indexes and uniqueness on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  let defs: Collection;
  beforeEach(async () => {
    env = await openDatabase(backend);
    defs = env.db.collection('lablet_definitions');
  });
  afterEach(async () => {
    await env.dispose();
  });

  test('the seed 001 indexes keep their options in listIndexes', async () => {
    await env.db.createCollection('lablet_definitions');
    expect(await defs.createIndex('state.name')).toBe('state.name_1');
    expect(
      await defs.createIndex(
        [
          ['state.name', 1],
          ['state.version', 1],
        ],
        { unique: true },
      ),
    ).toBe('state.name_1_state.version_1');
    const audit = env.db.collection('scaling_audit_events');
    await audit.createIndex({ timestamp: 1 }, { expireAfterSeconds: YEAR, name: 'ttl_timestamp' });
    await defs.createIndex(
      { 'state.slug': 1 },
      { unique: true, partialFilterExpression: { 'state.slug': { $type: 'string' } } },
    );
    await defs.createIndex({ 'state.alias': 1 }, { unique: true, sparse: true });

    const specs = await defs.listIndexes().toArray();
    expect(specs.map((s) => s.name)).toEqual([
      '_id_',
      'state.name_1',
      'state.name_1_state.version_1',
      'state.slug_1',
      'state.alias_1',
    ]);
    expect(specs[2]).toMatchObject({ key: { 'state.name': 1, 'state.version': 1 }, unique: true });
    expect(specs[3]).toMatchObject({ unique: true, partialFilterExpression: { 'state.slug': { $type: 'string' } } });
    expect(specs[4]).toMatchObject({ unique: true, sparse: true });
    expect(specs[1]?.unique).toBeUndefined();
    const ttl = await audit.listIndexes().toArray();
    expect(ttl[1]).toMatchObject({ name: 'ttl_timestamp', key: { timestamp: 1 }, expireAfterSeconds: YEAR });
    expect(await defs.indexExists('state.name_1')).toBe(true);
  });

  test('a compound unique index rejects a duplicate insert with keyPattern and keyValue', async () => {
    await defs.createIndex({ 'state.name': 1, 'state.version': 1 }, { unique: true });
    await defs.insertOne({ state: { name: 'lab', version: 1 } });
    await defs.insertOne({ state: { name: 'lab', version: 2 } });
    const error = await defs.insertOne({ state: { name: 'lab', version: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({
      code: 11000,
      keyPattern: { 'state.name': 1, 'state.version': 1 },
      keyValue: { 'state.name': 'lab', 'state.version': 1 },
    });
    expect((error as Error).message).toContain('E11000 duplicate key error');
    expect(await defs.countDocuments()).toBe(2);
  });

  test('uniqueness holds on update, upsert and findOneAndUpdate', async () => {
    await defs.createIndex({ name: 1 }, { unique: true });
    await defs.insertMany([{ name: 'a' }, { name: 'b' }]);
    await expect(defs.updateOne({ name: 'b' }, { $set: { name: 'a' } })).rejects.toMatchObject({
      code: 11000,
      keyValue: { name: 'a' },
    });
    await expect(
      defs.updateOne({ name: 'zzz', other: 1 }, { $set: { name: 'a' } }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(defs.findOneAndUpdate({ name: 'b' }, { $set: { name: 'a' } })).rejects.toMatchObject({ code: 11000 });
    await expect(defs.replaceOne({ name: 'b' }, { name: 'a' })).rejects.toMatchObject({ code: 11000 });
    expect(
      await defs
        .find({}, { projection: { _id: 0 } })
        .sort({ name: 1 })
        .toArray(),
    ).toEqual([{ name: 'a' }, { name: 'b' }]);
    // updating a document to its own key, or freeing a key and reusing it, is fine
    await defs.updateOne({ name: 'a' }, { $set: { name: 'a', touched: true } });
    await defs.updateOne({ name: 'b' }, { $set: { name: 'c' } });
    await defs.insertOne({ name: 'b' });
    await defs.deleteOne({ name: 'a' });
    await defs.insertOne({ name: 'a' });
    expect(await defs.countDocuments()).toBe(3);
  });

  test('non-sparse unique treats missing as null; sparse and partial indexes skip documents', async () => {
    const plain = env.db.collection('plain');
    await plain.createIndex({ code: 1 }, { unique: true });
    await plain.insertOne({ other: 1 });
    await expect(plain.insertOne({ other: 2 })).rejects.toMatchObject({ code: 11000, keyValue: { code: null } });

    const sparse = env.db.collection('sparse');
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ other: 1 }, { other: 2 }, { code: 'x' }]);
    await expect(sparse.insertOne({ code: 'x' })).rejects.toMatchObject({ code: 11000 });

    const partial = env.db.collection('partial');
    await partial.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await partial.insertMany([
      { email: 'a@x', active: false },
      { email: 'a@x', active: false },
      { email: 'a@x', active: true },
    ]);
    await expect(partial.insertOne({ email: 'a@x', active: true })).rejects.toMatchObject({ code: 11000 });
    await expect(partial.updateOne({ active: false }, { $set: { active: true } })).rejects.toMatchObject({
      code: 11000,
    });
    expect(await partial.countDocuments({ active: true })).toBe(1);
  });

  test('unique multikey: array elements are keys', async () => {
    const tags = env.db.collection('tags');
    await tags.createIndex({ tags: 1 }, { unique: true });
    await tags.insertOne({ tags: ['a', 'b'] });
    await tags.insertOne({ tags: ['c', 'c'] });
    await expect(tags.insertOne({ tags: ['d', 'b'] })).rejects.toMatchObject({ code: 11000, keyValue: { tags: 'b' } });
  });

  test('building a unique index over duplicate data fails and leaves no index', async () => {
    await defs.insertMany([{ name: 'x' }, { name: 'x' }]);
    await expect(defs.createIndex({ name: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await defs.listIndexes().toArray()).map((s) => s.name)).toEqual(['_id_']);
  });

  test('unordered insertMany keeps going past duplicates and reports them', async () => {
    await defs.createIndex({ name: 1 }, { unique: true });
    const error = await defs
      .insertMany([{ name: 'p' }, { name: 'p' }, { name: 'q' }, { name: 'q' }], { ordered: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulk = error as MongoBulkWriteError;
    expect(bulk.insertedCount).toBe(2);
    expect(bulk.writeErrors).toHaveLength(2);
    expect(await defs.countDocuments()).toBe(2);
    const ordered = await defs.insertMany([{ name: 'r' }, { name: 'p' }, { name: 's' }]).catch((e: unknown) => e);
    expect((ordered as MongoBulkWriteError).insertedCount).toBe(1);
    expect(await defs.countDocuments()).toBe(3);
  });

  test('createIndex is idempotent; conflicting specs are rejected', async () => {
    await defs.createIndex({ name: 1 }, { unique: true });
    await defs.createIndex({ name: 1 }, { unique: true });
    const reply = await env.db.command({
      createIndexes: 'lablet_definitions',
      indexes: [{ key: { name: 1 }, name: 'name_1', unique: true }],
    });
    expect(reply.numIndexesBefore).toBe(reply.numIndexesAfter);
    await expect(defs.createIndex({ other: 1 }, { name: 'name_1' })).rejects.toMatchObject({
      code: expect.toBeOneOf([85, 86]),
    });
    await expect(defs.createIndex({ name: 1 }, { name: 'other_name' })).rejects.toMatchObject({ code: 85 });
    await expect(defs.createIndex({ name: 1 }, { name: 'name_1', unique: false })).rejects.toMatchObject({ code: 85 });
  });

  test('dropIndex by name and key; IndexNotFound (27); listIndexes of a missing collection is NamespaceNotFound (26)', async () => {
    await defs.createIndex({ a: 1 });
    await defs.createIndex({ b: 1 }, { unique: true });
    await defs.createIndex({ c: 1 });
    await defs.dropIndex('a_1');
    await env.db.command({ dropIndexes: 'lablet_definitions', index: { b: 1 } });
    expect((await defs.listIndexes().toArray()).map((s) => s.name)).toEqual(['_id_', 'c_1']);
    await defs.insertMany([{ b: 1 }, { b: 1 }]); // the unique index is really gone
    await expect(defs.dropIndex('a_1')).rejects.toMatchObject({ code: 27, codeName: 'IndexNotFound' });
    await expect(defs.dropIndex('_id_')).rejects.toMatchObject({ code: 72 });
    await defs.dropIndexes();
    expect((await defs.listIndexes().toArray()).map((s) => s.name)).toEqual(['_id_']);
    await expect(env.db.collection('missing').listIndexes().toArray()).rejects.toMatchObject({
      code: 26,
      codeName: 'NamespaceNotFound',
    });
  });

  test('collMod changes a TTL index', async () => {
    await defs.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    await env.db.command({ collMod: 'lablet_definitions', index: { keyPattern: { at: 1 }, expireAfterSeconds: 120 } });
    expect((await defs.listIndexes().toArray())[1]).toMatchObject({ expireAfterSeconds: 120 });
  });
});
