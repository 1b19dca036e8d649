import { describe, expect, test } from 'vitest';
import { orderMigrations } from './dag.js';
import { isTidemarkError } from './errors.js';
import { setter } from './test/fixtures.js';

const ids = (ms: { id: string }[]) => ms.map((m) => m.id);

describe('orderMigrations', () => {
  test('keeps declaration order among independent migrations', () => {
    expect(ids(orderMigrations([setter('b', 'b', 1), setter('a', 'a', 1), setter('c', 'c', 1)]))).toEqual([
      'b',
      'a',
      'c',
    ]);
  });

  test('puts requirements first, then the rest in declaration order', () => {
    const ms = [
      setter('003', 'x', 1, { requires: ['002'] }),
      setter('001', 'y', 1),
      setter('002', 'z', 1, { requires: ['001'] }),
      setter('004', 'w', 1),
    ];
    expect(ids(orderMigrations(ms))).toEqual(['001', '002', '003', '004']);
  });

  test('a diamond resolves deterministically', () => {
    const ms = [
      setter('d', 'd', 1, { requires: ['b', 'c'] }),
      setter('c', 'c', 1, { requires: ['a'] }),
      setter('b', 'b', 1, { requires: ['a'] }),
      setter('a', 'a', 1),
    ];
    expect(ids(orderMigrations(ms))).toEqual(['a', 'c', 'b', 'd']);
  });

  test('names the cycle', () => {
    const ms = [
      setter('a', 'a', 1, { requires: ['c'] }),
      setter('b', 'b', 1, { requires: ['a'] }),
      setter('c', 'c', 1, { requires: ['b'] }),
      setter('z', 'z', 1),
    ];
    let error: unknown;
    try {
      orderMigrations(ms, 'p');
    } catch (e) {
      error = e;
    }
    expect(isTidemarkError(error, 'DAG_CYCLE')).toBe(true);
    expect((error as Error).message).toMatch(
      /\[p\] migrations form a cycle \(each requires the next\): a -> c -> b -> a$/,
    );
  });

  test('a self-requirement is a cycle', () => {
    expect(() => orderMigrations([setter('a', 'a', 1, { requires: ['a'] })])).toThrow(
      /cycle \(each requires the next\): a -> a$/,
    );
  });

  test('unknown requirements and duplicate ids are named', () => {
    expect(() => orderMigrations([setter('a', 'a', 1, { requires: ['ghost'] })])).toThrow(
      /migration "a".*unknown migration "ghost"/,
    );
    expect(() => orderMigrations([setter('a', 'a', 1), setter('a', 'b', 1)])).toThrow(/"a" is defined twice/);
  });
});
