// A ledger and lease lock in process memory: for tests, rehearsals and apps whose target lives in memory.
import type { CheckpointStore, Ledger, LedgerEntry, Lock, LockHolder, LockState } from './contract.js';

export function memoryLock(clock: () => number = Date.now): Lock {
  let state: LockState | null = null;
  const live = () => (state && Date.parse(state.expiresAt) > clock() ? state : null);
  return {
    async acquire(holder: LockHolder, ttlMs: number) {
      const current = live();
      if (current && current.token !== holder.token) return false;
      state = { ...holder, expiresAt: new Date(clock() + ttlMs).toISOString() };
      return true;
    },
    async renew(holder: LockHolder, ttlMs: number) {
      const current = live();
      if (!current || current.token !== holder.token) return false;
      state = { ...current, expiresAt: new Date(clock() + ttlMs).toISOString() };
      return true;
    },
    async release(holder: LockHolder) {
      if (state?.token === holder.token) state = null;
    },
    async inspect() {
      return live();
    },
  };
}

export interface MemoryLedger extends Ledger {
  readonly checkpoints: CheckpointStore;
}

export function memoryLedger(initial: readonly LedgerEntry[] = []): MemoryLedger {
  // Deep copies in and out, as a ledger in a file or database gives: a caller changing an entry's `data` or
  // `snapshot` afterwards must not change what was recorded.
  let entries = initial.map((e) => structuredClone(e));
  const checkpoints = new Map<string, unknown>();
  return {
    async read() {
      return entries.map((e) => structuredClone(e));
    },
    async record(entry: LedgerEntry) {
      entries = [...entries.filter((e) => e.id !== entry.id), structuredClone(entry)];
    },
    async remove(id: string) {
      entries = entries.filter((e) => e.id !== id);
    },
    lock: memoryLock(),
    checkpoints: {
      async load(id) {
        return checkpoints.has(id) ? structuredClone(checkpoints.get(id)) : null;
      },
      async save(id, data) {
        checkpoints.set(id, structuredClone(data));
      },
      async clear(id) {
        checkpoints.delete(id);
      },
    },
  };
}
