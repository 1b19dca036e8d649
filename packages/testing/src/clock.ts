// A clock a test moves by hand, so lease expiry and timestamps are tested without sleeping.
import { createError } from '@tidemark/core';

export interface TestClock {
  /** Milliseconds since the epoch, like `Date.now`; pass `clock.now` to a lock or ledger that takes a clock. */
  now(): number;
  /** Moves the clock forward (never back: a lease must not come back to life). */
  advance(ms: number): void;
  /** The current time as an ISO string. */
  iso(): string;
}

export function testClock(start: number | string = '2026-01-02T03:04:05.000Z'): TestClock {
  let t = typeof start === 'number' ? start : Date.parse(start);
  if (!Number.isFinite(t)) throw createError('testing', `testClock: start ${JSON.stringify(start)} is not a time`);
  return {
    now: () => t,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw createError('testing', `testClock.advance: ${ms} is not a duration >= 0`);
      t += ms;
    },
    iso: () => new Date(t).toISOString(),
  };
}
