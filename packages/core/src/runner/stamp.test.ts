// The version stamp beside the ledger (e.g. nodb.version): raised on `up`, put back on `down`, removed when the
// run that wrote it found none. Each rule is checked against a stamp that records every read, write and removal.
import { describe, expect, test } from 'vitest';
import type { LedgerEntry, Migration, VersionStamp } from '../contract.js';
import { memoryLedger } from '../memory-ledger.js';
import type { RunScope } from './scope.js';
import { lowerStamp, raiseStamp, stampBefore } from './stamp.js';

interface Target {
  stamp: number | undefined;
}

function recordingStamp(options: { stored?: boolean; remove?: boolean; derived?: number } = {}) {
  const calls: string[] = [];
  const stamp: VersionStamp<Target> = {
    read: async (t) => {
      calls.push('read');
      return t.stamp ?? options.derived ?? 0;
    },
    write: async (t, v) => {
      calls.push(`write ${v}`);
      t.stamp = v;
    },
    ...(options.stored ? { stored: async (t: Target) => (calls.push('stored'), t.stamp !== undefined) } : {}),
    ...(options.remove ? { remove: async (t: Target) => void (calls.push('remove'), (t.stamp = undefined)) } : {}),
  };
  return { stamp, calls };
}

const m = (id: string, version?: number) =>
  ({
    id,
    title: id,
    up: async () => {},
    ...(version === undefined ? {} : { version }),
  }) as unknown as Migration<Target>;
const entry = (id: string, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id,
  checksum: 'c',
  outcome: 'applied',
  at: '2026-01-01T00:00:00.000Z',
  durationMs: 1,
  by: 'me',
  runId: 'r1',
  ...extra,
});

function scopeOf(
  target: Target,
  stamp: VersionStamp<Target> | undefined,
  ordered: Migration<Target>[],
  entries: LedgerEntry[] = [],
): RunScope<Target> {
  return {
    plugin: { name: 'p', stamp },
    target,
    ordered,
    ledger: memoryLedger(entries),
  } as unknown as RunScope<Target>;
}

const ordered = [m('001', 1001), m('002'), m('003', 1003), m('004', 1002)];

describe('raiseStamp', () => {
  test('writes the highest version among the steps done, when above the stored one', async () => {
    const { stamp, calls } = recordingStamp();
    const t: Target = { stamp: 1000 };
    await raiseStamp(scopeOf(t, stamp, ordered), ['001', '002', '004']);
    expect(t.stamp).toBe(1002);
    expect(calls).toEqual(['read', 'write 1002']);
  });

  test('never lowers the stamp, and does not rewrite an equal one', async () => {
    for (const stored of [1002, 1500]) {
      const { stamp, calls } = recordingStamp();
      const t: Target = { stamp: stored };
      await raiseStamp(scopeOf(t, stamp, ordered), ['001', '004']);
      expect(t.stamp).toBe(stored);
      expect(calls).toEqual(['read']);
    }
  });

  test('steps without a version bundle, or none done: the stamp is not even read', async () => {
    const { stamp, calls } = recordingStamp();
    const t: Target = { stamp: 5 };
    await raiseStamp(scopeOf(t, stamp, ordered), ['002']);
    await raiseStamp(scopeOf(t, stamp, ordered), []);
    expect(calls).toEqual([]);
    await expect(raiseStamp(scopeOf(t, undefined, ordered), ['001'])).resolves.toBeUndefined();
    expect(t.stamp).toBe(5);
  });
});

describe('stampBefore', () => {
  test('no stamp: nothing to remember', async () => {
    expect(await stampBefore(scopeOf({ stamp: 3 }, undefined, ordered))).toEqual({});
  });

  test('the stored value, or null when the plugin can tell none is stored and can remove one', async () => {
    expect(
      await stampBefore(scopeOf({ stamp: 3 }, recordingStamp({ stored: true, remove: true }).stamp, ordered)),
    ).toEqual({ versionBefore: 3 });
    expect(
      await stampBefore(
        scopeOf({ stamp: undefined }, recordingStamp({ stored: true, remove: true, derived: 7 }).stamp, ordered),
      ),
    ).toEqual({ versionBefore: null });
    // Without both halves of the pair a missing stamp is whatever read derives.
    expect(
      await stampBefore(scopeOf({ stamp: undefined }, recordingStamp({ stored: true, derived: 7 }).stamp, ordered)),
    ).toEqual({ versionBefore: 7 });
    expect(
      await stampBefore(scopeOf({ stamp: undefined }, recordingStamp({ remove: true, derived: 7 }).stamp, ordered)),
    ).toEqual({ versionBefore: 7 });
  });
});

describe('lowerStamp', () => {
  test('goes back to the value before the earliest reverted run that knew one, or to a remaining step above it', async () => {
    const { stamp, calls } = recordingStamp();
    const t: Target = { stamp: 1003 };
    const reverted = [entry('003'), entry('004', { versionBefore: 1000 }), entry('002', { versionBefore: 900 })];
    await lowerStamp(scopeOf(t, stamp, ordered, [entry('002')]), reverted);
    expect(t.stamp).toBe(1000);
    expect(calls).toEqual(['read', 'write 1000']);

    const t2: Target = { stamp: 1003 };
    await lowerStamp(
      scopeOf(t2, stamp, ordered, [
        entry('001'),
        entry('004', { outcome: 'baselined' }),
        entry('003', { outcome: 'failed' }),
      ]),
      [entry('003', { versionBefore: 1000 })],
    );
    expect(t2.stamp, 'the highest remaining (not failed) step wins over the older value').toBe(1002);
  });

  test('leaves the stamp alone when it already has the value, or when no reverted entry knew one', async () => {
    const { stamp, calls } = recordingStamp();
    const t: Target = { stamp: 1001 };
    await lowerStamp(scopeOf(t, stamp, ordered, [entry('001')]), [entry('003', { versionBefore: 1000 })]);
    await lowerStamp(scopeOf(t, stamp, ordered), [entry('003'), entry('004')]);
    await lowerStamp(scopeOf(t, undefined, ordered), [entry('003', { versionBefore: 1 })]);
    expect(t.stamp).toBe(1001);
    expect(calls).toEqual(['read']);
  });

  test('none stored before and no versioned step remains: the stamp is removed, if the plugin can and one is stored', async () => {
    const both = recordingStamp({ stored: true, remove: true });
    const t: Target = { stamp: 1003 };
    await lowerStamp(scopeOf(t, both.stamp, ordered, [entry('002')]), [entry('003', { versionBefore: null })]);
    expect(t.stamp).toBeUndefined();
    expect(both.calls).toEqual(['stored', 'remove']);

    const already = recordingStamp({ stored: true, remove: true });
    await lowerStamp(scopeOf({ stamp: undefined }, already.stamp, ordered), [entry('003', { versionBefore: null })]);
    expect(already.calls).toEqual(['stored']);

    const removeOnly = recordingStamp({ remove: true });
    const t3: Target = { stamp: 1003 };
    await lowerStamp(scopeOf(t3, removeOnly.stamp, ordered), [entry('003', { versionBefore: null })]);
    expect(t3.stamp).toBeUndefined();
    expect(removeOnly.calls).toEqual(['remove']);
  });

  test('none stored before but a versioned step remains: the stamp follows that step', async () => {
    const { stamp, calls } = recordingStamp({ stored: true, remove: true });
    const t: Target = { stamp: 1003 };
    await lowerStamp(scopeOf(t, stamp, ordered, [entry('001')]), [entry('003', { versionBefore: null })]);
    expect(t.stamp).toBe(1001);
    expect(calls).toEqual(['read', 'write 1001']);

    const plain = recordingStamp();
    const t2: Target = { stamp: 1003 };
    await lowerStamp(scopeOf(t2, plain.stamp, ordered), [entry('003', { versionBefore: null })]);
    expect(t2.stamp, 'a stamp that cannot be removed is left as it is').toBe(1003);
    expect(plain.calls).toEqual([]);
  });
});
