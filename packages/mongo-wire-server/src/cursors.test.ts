import type { CommandStartedEvent } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('cursors on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  let started: CommandStartedEvent[];
  beforeEach(async () => {
    env = await openDatabase(backend, { monitorCommands: true });
    started = [];
    env.client.on('commandStarted', (event) => started.push(event));
    await env.db.collection('many').insertMany(Array.from({ length: 250 }, (_, i) => ({ i, even: i % 2 === 0 })));
  });
  afterEach(async () => {
    await env.dispose();
  });

  const commands = (name: string) => started.filter((e) => e.commandName === name);

  test('find batches through getMore until exhausted', async () => {
    const docs = await env.db.collection('many').find({}, { batchSize: 40 }).sort({ i: 1 }).toArray();
    expect(docs.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(commands('getMore')).toHaveLength(6);
    expect(commands('killCursors')).toHaveLength(0);
  });

  test('the default first batch is 101 documents', async () => {
    const cursor = env.db.collection('many').find({});
    await cursor.next();
    expect(cursor.bufferedCount()).toBe(100);
    await cursor.close();
  });

  test('closing a cursor early sends killCursors; a killed cursor is gone (CursorNotFound, 43)', async () => {
    const cursor = env.db.collection('many').find({}, { batchSize: 10 });
    await cursor.next();
    const id = cursor.id;
    await cursor.close();
    expect(commands('killCursors')).toHaveLength(1);
    await expect(env.db.command({ getMore: id, collection: 'many' })).rejects.toMatchObject({ code: 43 });
  });

  test('limit and batchSize together', async () => {
    const docs = await env.db.collection('many').find({ even: true }, { batchSize: 7, limit: 30 }).toArray();
    expect(docs).toHaveLength(30);
    expect(docs.every((d) => d.even)).toBe(true);
  });

  test('aggregate cursors page too', async () => {
    const docs = await env.db
      .collection('many')
      .aggregate([{ $match: { even: false } }], { batchSize: 25 })
      .toArray();
    expect(docs).toHaveLength(125);
    expect(commands('getMore').length).toBeGreaterThanOrEqual(4);
  });

  test('async iteration', async () => {
    let seen = 0;
    for await (const doc of env.db.collection('many').find({ i: { $lt: 120 } }, { batchSize: 50 })) {
      expect(doc.i).toBeLessThan(120);
      seen++;
    }
    expect(seen).toBe(120);
  });
});
