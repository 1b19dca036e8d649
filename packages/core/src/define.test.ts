// Definition-time checks: each refusal carries its code (what callers branch on) and names the definition.
import { describe, expect, test } from 'vitest';
import { defineGuard, defineMigration, definePlugin, defineTrait } from './define.js';
import { isTidemarkError } from './errors.js';
import { memoryLedger } from './memory-ledger.js';

const up = async () => {};

function refusal(f: () => unknown): { code: string | undefined; message: string } {
  try {
    f();
  } catch (error) {
    if (!isTidemarkError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('expected a refusal');
}

describe('definitions refused, with code and name', () => {
  test.each([
    ['an id with a space', () => defineMigration({ id: 'a b', title: 'T', up }), /migration id "a b" must match/],
    ['a blank title', () => defineMigration({ id: '001', title: '  ', up }), /migration "001" needs a title/],
    [
      'previousChecksums not a list',
      () => defineMigration({ id: '001', title: 'T', up, previousChecksums: 'abc' as never }),
      /migration "001": previousChecksums must be a list of non-empty checksum strings/,
    ],
    [
      'one empty previous checksum among good ones',
      () => defineMigration({ id: '001', title: 'T', up, previousChecksums: ['0a1b', ''] }),
      /previousChecksums must be a list/,
    ],
    [
      'a previous checksum that is not a string',
      () => defineMigration({ id: '001', title: 'T', up, previousChecksums: ['0a1b', 7 as never] }),
      /previousChecksums must be a list/,
    ],
    [
      'a trait id with a slash',
      () => defineTrait({ id: 'a/b', title: 'T', fixes: [], detect: async () => null }),
      /trait id "a\/b" must match/,
    ],
    ['a guard with no hook', () => defineGuard({ name: 'idle' }), /guard "idle" does nothing/],
  ])('%s', (_, f, message) => {
    const r = refusal(f);
    expect(r.code).toBe('INVALID_DEFINITION');
    expect(r.message).toMatch(message);
  });

  test('a trait fixing an unknown migration names plugin, trait and id', () => {
    const m = defineMigration({ id: '001', title: 'T', up });
    const t = defineTrait({ id: 'old', title: 'T', fixes: ['002'], detect: async () => null });
    const r = refusal(() =>
      definePlugin({ name: 'box', migrations: [m], traits: [t], ledger: () => memoryLedger(), describe: () => 'box' }),
    );
    expect(r).toEqual({
      code: 'UNKNOWN_MIGRATION',
      message: '[tidemark] [box] trait "old" names unknown migration "002"',
    });
  });

  test('good definitions pass through frozen, with requires defaulted', () => {
    const m = defineMigration({ id: '001', title: 'T', up, previousChecksums: ['0a1b'] });
    expect(m.requires).toEqual([]);
    expect(Object.isFrozen(m)).toBe(true);
    expect(m.previousChecksums?.[0]).toBe('0a1b');
  });
});
