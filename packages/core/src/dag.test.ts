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
  test('the cycle named is the one found, not the path into it, nor a finished branch', () => {
    const ms = [
      setter('z', 'z', 1),
      setter('a', 'a', 1, { requires: ['x', 'c'] }),
      setter('x', 'x', 1),
      setter('b', 'b', 1, { requires: ['a'] }),
      setter('c', 'c', 1, { requires: ['b'] }),
      setter('w', 'w', 1, { requires: ['a'] }),
    ];
    expect(() => orderMigrations(ms)).toThrow(/: a -> c -> b -> a$/);
    const entered = [
      setter('in', 'i', 1, { requires: ['p'] }),
      setter('p', 'p', 1, { requires: ['q'] }),
      setter('q', 'q', 1, { requires: ['p'] }),
    ];
    expect(() => orderMigrations(entered)).toThrow(/: p -> q -> p$/);
  });

  test('errors carry their codes and the plugin', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return [(error as { code?: string }).code, (error as Error).message];
      }
      return undefined;
    };
    expect(codeOf(() => orderMigrations([setter('a', 'a', 1, { requires: ['ghost'] })], 'p'))).toEqual([
      'UNKNOWN_MIGRATION',
      expect.stringMatching(/^\[tidemark\] \[p\] .*requires unknown migration "ghost"/),
    ]);
    expect(codeOf(() => orderMigrations([setter('a', 'a', 1), setter('a', 'b', 1)], 'p'))).toEqual([
      'DUPLICATE_MIGRATION',
      expect.stringMatching(/^\[tidemark\] \[p\] migration id "a" is defined twice$/),
    ]);
  });

  test('a migration object without requires (not made by defineMigration) has no requirements', () => {
    const bare = (id: string, requires?: string[]) =>
      ({ id, title: id, checksum: id, up: async () => {}, ...(requires ? { requires } : {}) }) as never;
    expect(ids(orderMigrations([bare('b', ['a']), bare('a'), bare('c')]))).toEqual(['a', 'b', 'c']);
    expect(() => orderMigrations([bare('a', ['b']), bare('b', ['a']), bare('c')])).toThrow(/: a -> b -> a$/);
  });
});
