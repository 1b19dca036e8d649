// Waiting for and keeping a Lock: waiters poll with backoff until a timeout; the holder renews in the
// background and learns at once when its lease was lost, so it stops instead of writing unguarded.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Lock, LockHolder, LockState } from './contract.js';
import { TidemarkError } from './errors.js';

export interface LeaseOptions {
  /** How long to wait for a busy lock before giving up. Default 60 s. */
  waitMs?: number;
  /** Lease length; a crashed holder's lock is free after this. Default 30 s. */
  ttlMs?: number;
  /** How often the holder renews. Default ttl / 3. */
  renewMs?: number;
  /** First poll interval while waiting; doubles up to 1 s. Default 25 ms. */
  pollMs?: number;
}

export interface Lease {
  readonly holder: LockHolder;
  /** Aborted when the lease was lost. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export function newHolder(): LockHolder {
  return { token: randomUUID(), host: hostname(), pid: process.pid, since: new Date().toISOString() };
}

/** `user@host:pid`; `username` is the OS lookup, a parameter so the no-passwd-entry case can be shown. */
export function whoAmI(username: () => string = () => userInfo().username): string {
  let user = 'unknown';
  try {
    user = username();
  } catch {
    // no passwd entry (some containers)
  }
  return `${user}@${hostname()}:${process.pid}`;
}

export async function acquireLease(
  lock: Lock,
  options: LeaseOptions & { target?: string; onWait?: (state: LockState) => void; signal?: AbortSignal } = {},
): Promise<Lease> {
  const waitMs = options.waitMs ?? 60_000;
  const ttlMs = options.ttlMs ?? 30_000;
  const renewMs = options.renewMs ?? Math.max(10, Math.floor(ttlMs / 3));
  const holder = newHolder();
  const deadline = Date.now() + waitMs;
  let poll = options.pollMs ?? 25;
  let announced = false;
  try {
    while (!(await lock.acquire(holder, ttlMs))) {
      const state = await lock.inspect();
      if (state && !announced) {
        announced = true;
        options.onWait?.(state);
      }
      if (Date.now() >= deadline) {
        const who = state ? ` held by ${state.host}:${state.pid} since ${state.since}, expires ${state.expiresAt}` : '';
        throw new TidemarkError('LOCK_TIMEOUT', `lock not acquired within ${waitMs} ms${who}`, {
          target: options.target,
        });
      }
      if (options.signal?.aborted)
        throw new TidemarkError('LOCK_TIMEOUT', 'aborted while waiting for the lock', { target: options.target });
      const jitter = Math.random() * poll * 0.5;
      await sleep(Math.min(poll + jitter, Math.max(1, deadline - Date.now())));
      poll = Math.min(poll * 2, 1000);
    }
  } catch (error) {
    // The waiter gives up: a lock may keep something for a waiter (plugin-telemetry keeps its waiting
    // session between polls), and an acquire that failed after taking the lock must not leave it taken.
    // Releasing as a non-holder changes nothing (the ledger conformance suite checks that).
    await lock.release(holder).catch(() => undefined);
    throw error;
  }

  const controller = new AbortController();
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      if (controller.signal.aborted) return;
      try {
        if (!(await lock.renew(holder, ttlMs)))
          controller.abort(new TidemarkError('LOCK_LOST', 'lease lost', { target: options.target }));
      } catch (error) {
        controller.abort(
          new TidemarkError('LOCK_LOST', 'lease renewal failed', { target: options.target, cause: error }),
        );
      }
    });
  }, renewMs);
  timer.unref();

  let released = false;
  return {
    holder,
    signal: controller.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing;
      if (!controller.signal.aborted) await lock.release(holder);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
