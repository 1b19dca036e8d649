import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('collections and databases on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  beforeEach(async () => {
    env = await openDatabase(backend);
  });
  afterEach(async () => {
    await env.dispose();
  });

  test('create, list, drop; creating twice is NamespaceExists (48)', async () => {
    await env.db.createCollection('alpha');
    await env.db.createCollection('beta', { validator: { x: { $exists: true } } });
    await expect(env.db.command({ create: 'alpha' })).rejects.toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    const infos = (await env.db.listCollections().toArray()) as Array<{
      name: string;
      type?: string;
      options?: Record<string, unknown>;
    }>;
    expect(infos.map((i) => i.name).sort()).toEqual(['alpha', 'beta']);
    const beta = infos.find((i) => i.name === 'beta');
    expect(beta?.options).toMatchObject({ validator: { x: { $exists: true } } });
    expect(beta?.type).toBe('collection');
    const filtered = await env.db.listCollections({ name: 'alpha' }, { nameOnly: true }).toArray();
    expect(filtered).toEqual([expect.objectContaining({ name: 'alpha' })]);
    expect(await env.db.collection('alpha').drop()).toBe(true);
    expect((await env.db.listCollections().toArray()).map((i) => i.name)).toEqual(['beta']);
  });

  test('insert creates the collection implicitly', async () => {
    await env.db.collection('implicit').insertOne({ a: 1 });
    expect((await env.db.listCollections().toArray()).map((i) => i.name)).toEqual(['implicit']);
  });

  test('listDatabases shows the database; dropDatabase removes it', async () => {
    await env.db.collection('c').insertOne({ a: 1 });
    const before = await env.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(before.databases.map((d) => d.name)).toContain(env.db.databaseName);
    expect(await env.db.dropDatabase()).toBe(true);
    const after = await env.client.db('admin').admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(env.db.databaseName);
    expect(await env.db.listCollections().toArray()).toEqual([]);
  });

  test('renameCollection keeps documents and indexes; missing source is NamespaceNotFound (26)', async () => {
    const from = env.db.collection('from');
    await from.insertMany([{ k: 1 }, { k: 2 }]);
    await from.createIndex({ k: 1 }, { unique: true });
    const to = await from.rename('to');
    expect(await to.countDocuments()).toBe(2);
    expect((await to.listIndexes().toArray()).map((i) => i.name)).toContain('k_1');
    await expect(to.insertOne({ k: 1 })).rejects.toMatchObject({ code: 11000 });
    await expect(env.db.collection('nope').rename('other')).rejects.toMatchObject({ code: 26 });
  });
});
