import { describe, expect, it } from 'vitest';
import { clipWindow, mergeBatch, START } from './cursor.js';

const counts = (migrated: number) => ({ seen: 3, migrated, skipped: 3 - migrated, errors: 0 });

describe('backfill cursor', () => {
  it('advances over contiguous windows and keeps the ones that committed ahead of a gap', () => {
    const ahead = mergeBatch(START, { lo: 3, hi: 6 }, counts(2));
    expect(ahead).toEqual({
      after: 0,
      seen: 3,
      migrated: 2,
      skipped: 1,
      errors: 0,
      batches: 1,
      ahead: [{ lo: 3, hi: 6 }],
    });
    const later = mergeBatch(ahead, { lo: 9, hi: 12 }, counts(3));
    expect(later.ahead).toEqual([
      { lo: 3, hi: 6 },
      { lo: 9, hi: 12 },
    ]);
    // The gap (0,3] closes: the prefix runs through every window it now reaches, up to the next gap.
    const closed = mergeBatch(later, { lo: 0, hi: 3 }, counts(1));
    expect(closed).toEqual({
      after: 6,
      seen: 9,
      migrated: 6,
      skipped: 3,
      errors: 0,
      batches: 3,
      ahead: [{ lo: 9, hi: 12 }],
    });
    expect(mergeBatch(closed, { lo: 6, hi: 9 }, counts(0))).toEqual({
      after: 12,
      seen: 12,
      migrated: 6,
      skipped: 6,
      errors: 0,
      batches: 4,
    });
  });

  it('clips the next window before a window done ahead, and skips one that starts where it would', () => {
    const ahead = [
      { lo: 10, hi: 20 },
      { lo: 30, hi: 40 },
    ];
    expect(clipWindow(ahead, 0, 8)).toEqual({ lo: 0, hi: 8 });
    expect(clipWindow(ahead, 0, 15)).toEqual({ lo: 0, hi: 10 });
    expect(clipWindow(ahead, 0, 35)).toEqual({ lo: 0, hi: 10 });
    expect(clipWindow(ahead, 10, 25)).toEqual({ skipTo: 20 });
    expect(clipWindow(ahead, 20, 25)).toEqual({ lo: 20, hi: 25 });
    expect(clipWindow([], 5, 9)).toEqual({ lo: 5, hi: 9 });
  });
});
