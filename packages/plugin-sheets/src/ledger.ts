// The ledger lives in the spreadsheet itself as developer metadata (DOCUMENT visibility, spreadsheet location),
// so any machine with access sees what was applied. One metadata item per entry / checkpoint; the lock is one
// item with a fixed metadataId: creating an id that exists fails, which makes acquire atomic, and a takeover
// is a compare-and-swap (delete the exact old value + create, in one all-or-nothing batchUpdate).
import type { sheets_v4 } from '@googleapis/sheets';
import type { CheckpointStore, Ledger, LedgerEntry, Lock, LockHolder, LockState } from '@tidemark/core';
import { ApiCallError } from './client.js';
import { PROPS_FIELDS } from './inspect.js';
import type { SheetsTarget } from './target.js';

export const LOCK_METADATA_ID = 71_410_001;
export const LOCK_KEY = 'tidemark.lock';
export const ENTRY_KEY = 'tidemark.ledger:';
export const CHECKPOINT_KEY = 'tidemark.checkpoint:';

/** A ledger entry as stored: the core entry (with the data its step recorded) plus its place in record order. */
type StoredEntry = LedgerEntry & { seq?: number };

interface State {
  entries: Map<string, StoredEntry>;
  checkpoints: Map<string, unknown>;
}

export interface SheetsLedger extends Ledger {
  readonly checkpoints: CheckpointStore;
  readonly insideTarget: true;
  /** Drops every saved checkpoint (the `force` restart). */
  clearCheckpoints(): Promise<number>;
}

const ledgers = new WeakMap<SheetsTarget, SheetsLedger>();

/** One ledger object per target, so guards and migrations share the cache of the runner holding the lock. */
export function sheetsLedger(target: SheetsTarget, clock: () => number = Date.now): SheetsLedger {
  let ledger = ledgers.get(target);
  if (!ledger) {
    ledger = createLedger(target, clock);
    ledgers.set(target, ledger);
  }
  return ledger;
}

function parseState(metadata: sheets_v4.Schema$DeveloperMetadata[] | undefined): State {
  const state: State = { entries: new Map(), checkpoints: new Map() };
  for (const m of metadata ?? []) {
    const key = m.metadataKey ?? '';
    try {
      if (key.startsWith(ENTRY_KEY))
        state.entries.set(key.slice(ENTRY_KEY.length), JSON.parse(m.metadataValue ?? '{}') as StoredEntry);
      else if (key.startsWith(CHECKPOINT_KEY))
        state.checkpoints.set(key.slice(CHECKPOINT_KEY.length), JSON.parse(m.metadataValue ?? 'null'));
    } catch {
      // A hand-edited, unparsable item is not ours to interpret; it is ignored rather than crashing every run.
    }
  }
  return state;
}

const lookup = (metadataKey: string) => ({ developerMetadataLookup: { metadataKey, locationType: 'SPREADSHEET' } });
const create = (metadataKey: string, metadataValue: string, metadataId?: number): sheets_v4.Schema$Request => ({
  createDeveloperMetadata: {
    developerMetadata: {
      ...(metadataId ? { metadataId } : {}),
      metadataKey,
      metadataValue,
      location: { spreadsheet: true },
      visibility: 'DOCUMENT',
    },
  },
});

function createLedger(target: SheetsTarget, clock: () => number): SheetsLedger {
  const { session } = target;
  /** Known state while we hold the lock: only we write the ledger then, so our own writes keep it exact. */
  let cached: State | null = null;
  let heldBy: string | null = null;
  let lockValue: string | null = null;
  /** The ledger as this session last saw it: if it changed by the time we hold the lock, so may the sheet. */
  let lastSeen: string | null = null;
  const fingerprint = (st: State) => JSON.stringify([[...st.entries].sort(), [...st.checkpoints].sort()]);

  async function batchUpdate(
    requests: sheets_v4.Schema$Request[],
    withState = false,
  ): Promise<sheets_v4.Schema$BatchUpdateSpreadsheetResponse> {
    const sheets = await session.sheets();
    return session.call('sheets.batchUpdate', 'meta', (o) =>
      sheets.spreadsheets.batchUpdate(
        {
          spreadsheetId: target.spreadsheetId,
          requestBody: {
            requests,
            ...(withState ? { includeSpreadsheetInResponse: true, responseIncludeGridData: false } : {}),
          },
        },
        o,
      ),
    );
  }

  async function fresh(): Promise<State> {
    const sheets = await session.sheets();
    const data = await session.call('sheets.get', 'read', (o) =>
      sheets.spreadsheets.get({ spreadsheetId: target.spreadsheetId, fields: PROPS_FIELDS }, o),
    );
    session.cache.props = data;
    const st = parseState(data.developerMetadata);
    lastSeen = fingerprint(st);
    return st;
  }

  async function state(): Promise<State> {
    if (cached && heldBy) return cached;
    return fresh();
  }

  function adopt(res: sheets_v4.Schema$BatchUpdateSpreadsheetResponse): void {
    if (res.updatedSpreadsheet) {
      cached = parseState(res.updatedSpreadsheet.developerMetadata);
      session.cache.props = res.updatedSpreadsheet;
      const now = fingerprint(cached);
      // Another run changed the ledger since we last looked: the values we cached may be stale too.
      if (now !== lastSeen) delete session.cache.values;
      lastSeen = now;
    }
  }

  const isConflict = (e: unknown) => e instanceof ApiCallError && e.info.code === 400;

  async function readLock(): Promise<{ raw: string; state: LockState } | null> {
    const sheets = await session.sheets();
    try {
      const m = await session.call('sheets.developerMetadata.get', 'read', (o) =>
        sheets.spreadsheets.developerMetadata.get(
          { spreadsheetId: target.spreadsheetId, metadataId: LOCK_METADATA_ID },
          o,
        ),
      );
      const raw = m.metadataValue ?? '{}';
      return { raw, state: JSON.parse(raw) as LockState };
    } catch (error) {
      if (error instanceof ApiCallError && error.info.code === 404) return null;
      throw error;
    }
  }

  const valueFor = (holder: LockHolder, ttlMs: number) =>
    JSON.stringify({ ...holder, expiresAt: new Date(clock() + ttlMs).toISOString() });

  const lock: Lock = {
    async acquire(holder, ttlMs) {
      const value = valueFor(holder, ttlMs);
      try {
        adopt(await batchUpdate([create(LOCK_KEY, value, LOCK_METADATA_ID)], true));
        heldBy = holder.token;
        lockValue = value;
        return true;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const current = await readLock();
      if (!current) return false; // released in between: the caller polls again
      if (current.state.token === holder.token) {
        // Our own earlier attempt landed but its answer was lost: we hold it; state is read afresh.
        heldBy = holder.token;
        lockValue = current.raw;
        cached = await fresh();
        return true;
      }
      if (Date.parse(current.state.expiresAt) > clock()) return false;
      try {
        adopt(
          await batchUpdate(
            [
              {
                deleteDeveloperMetadata: {
                  dataFilter: { developerMetadataLookup: { metadataId: LOCK_METADATA_ID, metadataValue: current.raw } },
                },
              },
              create(LOCK_KEY, value, LOCK_METADATA_ID),
            ],
            true,
          ),
        );
        heldBy = holder.token;
        lockValue = value;
        return true;
      } catch (error) {
        if (isConflict(error)) return false; // someone else took the expired lease first
        throw error;
      }
    },
    async renew(holder, ttlMs) {
      if (heldBy !== holder.token || !lockValue) return false;
      const value = valueFor(holder, ttlMs);
      try {
        await batchUpdate([
          {
            deleteDeveloperMetadata: {
              dataFilter: { developerMetadataLookup: { metadataId: LOCK_METADATA_ID, metadataValue: lockValue } },
            },
          },
          create(LOCK_KEY, value, LOCK_METADATA_ID),
        ]);
        lockValue = value;
        return true;
      } catch (error) {
        if (!isConflict(error)) throw error;
        heldBy = null;
        cached = null;
        return false;
      }
    },
    async release(holder) {
      if (heldBy !== holder.token || !lockValue) return;
      const value = lockValue;
      heldBy = null;
      cached = null;
      lockValue = null;
      await batchUpdate([
        {
          deleteDeveloperMetadata: {
            dataFilter: { developerMetadataLookup: { metadataId: LOCK_METADATA_ID, metadataValue: value } },
          },
        },
      ]);
    },
    async inspect() {
      const current = await readLock();
      if (!current || Date.parse(current.state.expiresAt) <= clock()) return null;
      return current.state;
    },
  };

  const checkpoints: CheckpointStore = {
    async load(id) {
      return (await state()).checkpoints.get(id) ?? null;
    },
    async save(id, data) {
      const key = CHECKPOINT_KEY + id;
      await batchUpdate([{ deleteDeveloperMetadata: { dataFilter: lookup(key) } }, create(key, JSON.stringify(data))]);
      cached?.checkpoints.set(id, structuredClone(data));
      if (cached) lastSeen = fingerprint(cached);
    },
    async clear(id) {
      if (cached && heldBy && !cached.checkpoints.has(id)) return; // nothing saved: no request
      await batchUpdate([{ deleteDeveloperMetadata: { dataFilter: lookup(CHECKPOINT_KEY + id) } }]);
      cached?.checkpoints.delete(id);
      if (cached) lastSeen = fingerprint(cached);
    },
  };

  return {
    insideTarget: true,
    // Every ledger write is a metered API request; the traits here already see half-done steps.
    skipIntentRecords: true,
    lock,
    checkpoints,
    async read() {
      const s = await state();
      // `seq` only orders entries (metadata ids are not ordered); callers see the entry as recorded.
      return [...s.entries.values()]
        .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
        .map(({ seq: _seq, ...e }) => structuredClone(e));
    },
    async record(entry) {
      const s = await state();
      const seq = Math.max(0, ...[...s.entries.values()].map((e) => e.seq ?? 0)) + 1;
      const value = JSON.stringify({ ...entry, seq });
      const key = ENTRY_KEY + entry.id;
      await batchUpdate([{ deleteDeveloperMetadata: { dataFilter: lookup(key) } }, create(key, value)]);
      if (cached && heldBy) {
        // What the sheet now holds, not the caller's object (which it may change afterwards).
        cached.entries.set(entry.id, JSON.parse(value) as StoredEntry);
        lastSeen = fingerprint(cached);
      }
    },
    async remove(id) {
      await batchUpdate([{ deleteDeveloperMetadata: { dataFilter: lookup(ENTRY_KEY + id) } }]);
      if (cached && heldBy) {
        cached.entries.delete(id);
        lastSeen = fingerprint(cached);
      }
    },
    async clearCheckpoints() {
      const s = await state();
      const ids = [...s.checkpoints.keys()];
      if (ids.length === 0) return 0;
      await batchUpdate(ids.map((id) => ({ deleteDeveloperMetadata: { dataFilter: lookup(CHECKPOINT_KEY + id) } })));
      for (const id of ids) cached?.checkpoints.delete(id);
      return ids.length;
    },
  };
}
