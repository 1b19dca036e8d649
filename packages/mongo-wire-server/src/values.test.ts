import { Long, ObjectId } from 'bson';
import { describe, expect, test } from 'vitest';
import { cloneValue, sameValue } from './values.js';

describe('stored value copy and equality', () => {
  test('clones are deep for objects, arrays and dates, and keep BSON classes', () => {
    const oid = new ObjectId();
    const original = {
      _id: oid,
      when: new Date(5),
      nested: { list: [1, { x: 2 }] },
      big: Long.fromString('9007199254740993'),
    };
    const copy = cloneValue(original);
    expect(copy).toEqual(original);
    expect(copy._id).toBeInstanceOf(ObjectId);
    copy.nested.list.push(3);
    (copy.nested.list[1] as { x: number }).x = 9;
    copy.when.setTime(0);
    expect(original.nested.list).toEqual([1, { x: 2 }]);
    expect(original.when.getTime()).toBe(5);
  });

  test('equality is BSON equality: field order counts, BSON values compare by value', () => {
    const id = new ObjectId();
    expect(sameValue({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] })).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameValue({ _id: id }, { _id: new ObjectId(id.toHexString()) })).toBe(true);
    expect(sameValue({ _id: id }, { _id: new ObjectId() })).toBe(false);
    expect(sameValue(new Date(1), new Date(1))).toBe(true);
    expect(sameValue({ a: null }, { a: undefined })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue({ a: 1 }, { a: '1' })).toBe(false);
  });
});
