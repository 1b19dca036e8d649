// A run holds the target's lease from its plan to its last write.
import { acquireLease, type Lease } from '../lease.js';
import type { RunScope } from './scope.js';

export async function withLease<T, R>(scope: RunScope<T>, fn: (lease: Lease) => Promise<R>): Promise<R> {
  const lease = await acquireLease(scope.ledger.lock, {
    ...scope.options.lock,
    target: scope.label,
    signal: scope.signal,
    onWait: (state) =>
      scope.emit({ type: 'lock:waiting', holder: `${state.host}:${state.pid}`, expiresAt: state.expiresAt }),
  });
  scope.emit({ type: 'lock:acquired' });
  try {
    return await fn(lease);
  } finally {
    await lease.release();
    scope.emit({ type: 'lock:released' });
  }
}
