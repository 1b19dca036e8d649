import { ObjectId, type Collection } from 'mongodb';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('CRUD through the driver on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  let people: Collection;
  beforeEach(async () => {
    env = await openDatabase(backend);
    people = env.db.collection('people');
    await people.insertMany([
      { _id: 1 as never, name: 'ada', age: 36, tags: ['math', 'code'], born: new Date('1815-12-10') },
      { _id: 2 as never, name: 'alan', age: 41, tags: ['code'], born: new Date('1912-06-23') },
      { _id: 3 as never, name: 'grace', age: 85, tags: ['navy', 'code'], born: new Date('1906-12-09') },
      { _id: 4 as never, name: 'edsger', age: 72, tags: [], born: new Date('1930-05-11') },
    ]);
  });
  afterEach(async () => {
    await env.dispose();
  });

  test('insert keeps BSON types (ObjectId, Date, nested) and generates _id', async () => {
    const oid = new ObjectId();
    const { insertedId } = await people.insertOne({ ref: oid, when: new Date(5), nested: { deep: [1, { x: 'y' }] } });
    const back = await people.findOne({ _id: insertedId });
    expect(back?._id).toBeInstanceOf(ObjectId);
    expect(back?.ref).toEqual(oid);
    expect(back?.when).toEqual(new Date(5));
    expect(back?.nested).toEqual({ deep: [1, { x: 'y' }] });
    expect(Object.keys(back ?? {})[0]).toBe('_id');
  });

  test('find: filter, projection, sort, skip, limit', async () => {
    const found = await people
      .find({ tags: 'code', age: { $gte: 36 } }, { projection: { name: 1, _id: 0 } })
      .sort({ age: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(found).toEqual([{ name: 'alan' }, { name: 'ada' }]);
    expect(await people.find({ born: { $lt: new Date('1900-01-01') } }).toArray()).toHaveLength(1);
    expect(
      (
        await people
          .find({}, { projection: { tags: 0, born: 0 } })
          .sort({ _id: 1 })
          .limit(1)
          .toArray()
      )[0],
    ).toEqual({ _id: 1, name: 'ada', age: 36 });
    expect(await people.countDocuments({ $or: [{ name: /^a/ }, { age: { $gt: 80 } }] })).toBe(3);
  });

  test('findOne on a missing collection is null; find is empty', async () => {
    expect(await env.db.collection('missing').findOne({})).toBeNull();
    expect(await env.db.collection('missing').find().toArray()).toEqual([]);
  });

  test('updateOne / updateMany report matched and modified counts', async () => {
    const one = await people.updateOne({ name: 'ada' }, { $set: { lang: 'note G' }, $inc: { age: 1 } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    expect(await people.findOne({ _id: 1 as never })).toMatchObject({ age: 37, lang: 'note G' });
    const many = await people.updateMany({ tags: 'code' }, { $set: { coder: true } });
    expect(many).toMatchObject({ matchedCount: 3, modifiedCount: 3 });
    const again = await people.updateMany({ tags: 'code' }, { $set: { coder: true } });
    expect(again).toMatchObject({ matchedCount: 3, modifiedCount: 0 });
    const none = await people.updateMany({ name: 'nobody' }, { $set: { x: 1 } });
    expect(none).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
  });

  test('update operators: $unset, $push $each, $pull, $addToSet, $rename, $min/$max, $mul, $currentDate', async () => {
    await people.updateOne(
      { _id: 2 as never },
      {
        $unset: { born: '' },
        $push: { tags: { $each: ['crypto', 'ai'] } } as never,
        $rename: { name: 'fullName' },
        $max: { age: 50 },
        $currentDate: { seen: true },
      },
    );
    await people.updateOne({ _id: 2 as never }, { $pull: { tags: 'code' } as never, $mul: { age: 2 } });
    await people.updateOne({ _id: 2 as never }, { $addToSet: { tags: 'ai' } });
    // two operators on one path conflict, as on the server
    await expect(
      people.updateOne({ _id: 2 as never }, { $pull: { tags: 'x' } as never, $addToSet: { tags: 'y' } }),
    ).rejects.toMatchObject({ code: 40 });
    const alan = await people.findOne({ _id: 2 as never });
    expect(alan).toMatchObject({ fullName: 'alan', age: 100, tags: ['crypto', 'ai'] });
    expect(alan?.born).toBeUndefined();
    expect(alan?.name).toBeUndefined();
    expect(alan?.seen).toBeInstanceOf(Date);
  });

  test('arrayFilters and the positional $ operator', async () => {
    await people.updateOne(
      { _id: 3 as never },
      {
        $set: {
          ranks: [
            { r: 'ensign', y: 1943 },
            { r: 'admiral', y: 1985 },
          ],
        },
      },
    );
    await people.updateOne(
      { _id: 3 as never },
      { $set: { 'ranks.$[old].old': true } },
      { arrayFilters: [{ 'old.y': { $lt: 1950 } }] },
    );
    await people.updateOne({ _id: 3 as never, tags: 'navy' }, { $set: { 'tags.$': 'NAVY' } });
    const grace = await people.findOne({ _id: 3 as never });
    expect(grace?.ranks).toEqual([
      { r: 'ensign', y: 1943, old: true },
      { r: 'admiral', y: 1985 },
    ]);
    expect(grace?.tags).toEqual(['NAVY', 'code']);
  });

  test('upsert builds the document from the filter, $set and $setOnInsert', async () => {
    const result = await people.updateOne(
      { name: 'barbara', age: { $gt: 10 } },
      { $set: { tags: ['clu'] }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect(result).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
    const upserted = await people.findOne({ _id: result.upsertedId as never });
    expect(upserted).toMatchObject({ name: 'barbara', tags: ['clu'], created: true });
    expect(upserted?.age).toBeUndefined();
    const second = await people.updateOne(
      { name: 'barbara' },
      { $set: { tags: [] }, $setOnInsert: { created: 'again' } },
      { upsert: true },
    );
    expect(second).toMatchObject({ matchedCount: 1, upsertedCount: 0 });
    expect(await people.findOne({ name: 'barbara' })).toMatchObject({ created: true, tags: [] });
  });

  test('replaceOne keeps _id; changing _id is ImmutableField (66)', async () => {
    await people.replaceOne({ _id: 4 as never }, { name: 'dijkstra' });
    expect(await people.findOne({ _id: 4 as never })).toEqual({ _id: 4, name: 'dijkstra' });
    await expect(people.updateOne({ _id: 4 as never }, { $set: { _id: 99 } })).rejects.toMatchObject({ code: 66 });
  });

  test('an unknown update operator is rejected (FailedToParse, 9)', async () => {
    await expect(people.updateOne({ _id: 1 as never }, { $frobnicate: { a: 1 } } as never)).rejects.toMatchObject({
      code: 9,
    });
  });

  test('operators refuse values of the wrong type, as the server does', async () => {
    await people.insertOne({ _id: 20 as never, n: 'text', list: 'not-an-array', scalar: 5 });
    await expect(people.updateOne({ _id: 20 as never }, { $inc: { n: 1 } })).rejects.toMatchObject({ code: 14 });
    await expect(people.updateOne({ _id: 20 as never }, { $inc: { scalar: 'x' } } as never)).rejects.toMatchObject({
      code: 14,
    });
    await expect(people.updateOne({ _id: 20 as never }, { $push: { list: 1 } } as never)).rejects.toMatchObject({
      code: 2,
    });
    await expect(people.updateOne({ _id: 20 as never }, { $set: { 'scalar.deep': 1 } })).rejects.toMatchObject({
      code: 28,
    });
    expect(await people.findOne({ _id: 20 as never })).toEqual({ _id: 20, n: 'text', list: 'not-an-array', scalar: 5 });
  });

  test('a multi-update that fails part way keeps the documents it already changed', async () => {
    await people.updateOne({ _id: 3 as never }, { $set: { age: 'eighty-five' } });
    await expect(people.updateMany({}, { $inc: { age: 1 } })).rejects.toMatchObject({ code: 14 });
    const ages = (await people.find().sort({ _id: 1 }).toArray()).map((p) => p.age);
    expect(ages).toEqual([37, 42, 'eighty-five', 72]);
  });

  test('pipeline-style updates', async () => {
    await people.updateMany({}, [{ $set: { ageNextYear: { $add: ['$age', 1] } } }]);
    expect(await people.findOne({ _id: 1 as never })).toMatchObject({ ageNextYear: 37 });
  });

  test('deleteOne / deleteMany', async () => {
    expect((await people.deleteOne({ tags: 'code' })).deletedCount).toBe(1);
    expect((await people.deleteMany({ age: { $gt: 50 } })).deletedCount).toBe(2);
    expect(await people.countDocuments()).toBe(1);
    expect((await people.deleteMany({})).deletedCount).toBe(1);
  });

  test('findOneAndUpdate: before/after, sort, upsert; findOneAndDelete; findOneAndReplace', async () => {
    const before = await people.findOneAndUpdate({ tags: 'code' }, { $inc: { age: 1 } }, { sort: { age: -1 } });
    expect(before).toMatchObject({ name: 'grace', age: 85 });
    const after = await people.findOneAndUpdate(
      { name: 'grace' },
      { $inc: { age: 1 } },
      { returnDocument: 'after', projection: { age: 1 } },
    );
    expect(after).toEqual({ _id: 3, age: 87 });
    const created = await people.findOneAndUpdate(
      { name: 'linus' },
      { $set: { age: 20 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(created).toMatchObject({ name: 'linus', age: 20 });
    expect(created?._id).toBeInstanceOf(ObjectId);
    const none = await people.findOneAndUpdate({ name: 'ghost' }, { $set: { age: 1 } });
    expect(none).toBeNull();
    const meta = await people.findOneAndUpdate(
      { name: 'ken' },
      { $set: { age: 1 } },
      { upsert: true, includeResultMetadata: true },
    );
    expect(meta.value).toBeNull();
    expect(meta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    const deleted = await people.findOneAndDelete({ name: 'alan' });
    expect(deleted).toMatchObject({ _id: 2 });
    expect(await people.findOne({ _id: 2 as never })).toBeNull();
    const replaced = await people.findOneAndReplace({ _id: 4 as never }, { name: 'ewd' }, { returnDocument: 'after' });
    expect(replaced).toEqual({ _id: 4, name: 'ewd' });
  });

  test('countDocuments, estimatedDocumentCount, distinct', async () => {
    expect(await people.countDocuments({ tags: 'code' })).toBe(3);
    expect(await people.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await people.estimatedDocumentCount()).toBe(4);
    expect((await people.distinct('tags')).sort()).toEqual(['code', 'math', 'navy']);
    expect((await people.distinct('name', { age: { $lt: 50 } })).sort()).toEqual(['ada', 'alan']);
  });

  test('bulkWrite mixes inserts, updates, deletes', async () => {
    const result = await people.bulkWrite([
      { insertOne: { document: { _id: 10 as never, name: 'new' } } },
      { updateOne: { filter: { _id: 1 as never }, update: { $set: { bulk: true } } } },
      { updateMany: { filter: { age: { $gt: 40 } }, update: { $inc: { age: 1 } } } },
      { deleteOne: { filter: { _id: 4 as never } } },
      { replaceOne: { filter: { _id: 99 as never }, replacement: { name: 'upserted' }, upsert: true } },
    ]);
    expect(result.insertedCount).toBe(1);
    expect(result.matchedCount).toBe(4);
    expect(result.modifiedCount).toBe(4);
    expect(result.deletedCount).toBe(1);
    expect(result.upsertedCount).toBe(1);
    expect(await people.findOne({ _id: 99 as never })).toEqual({ _id: 99, name: 'upserted' });
  });

  test('a duplicate _id is E11000 on the _id_ index', async () => {
    const error = await people.insertOne({ _id: 1 as never, name: 'again' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    expect(String((error as Error).message)).toMatch(/E11000 duplicate key error collection: .*people index: _id_/);
  });
});
