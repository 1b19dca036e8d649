// The ledger in the target database: the seed's `migrations` collection ({ name, applied_at }) extended with
// checksum, duration, by and the core's outcome/run fields. Entries written by the seed's own runner (no
// checksum) are read as applied and adopted with the current checksum, so switching to Tidemark is not drift.
import type { Db, Document } from 'mongodb';
import type { CheckpointStore, Ledger, LedgerEntry, LedgerOutcome, SnapshotRef } from '@tidemark/core';
import { TidemarkError } from '@tidemark/core';
import { mongoLock, type MongoLockOptions } from './lock.js';
import { DEFAULT_NAMES, type CollectionNames } from './names.js';
import { PLUGIN_NAME } from './target.js';

export interface LedgerDocument {
  name: string;
  applied_at: Date;
  checksum?: string;
  /** Milliseconds. */
  duration?: number;
  by?: string;
  outcome?: LedgerOutcome;
  run_id?: string;
  note?: string;
  snapshot?: SnapshotRef;
  /**
   * What the step recorded (`LedgerEntry.data`) as JSON text: recorded data may use any key, and keys with
   * `.` or a leading `$` cannot go through an update as a subdocument (`{ $ref, $id }` would even read as a DBRef).
   */
  data?: string;
  /** Record order (a replaced entry moves to the end, as in the core's memory ledger). */
  seq?: number;
}

export interface MongoLedgerOptions {
  names?: CollectionNames;
  /** Current checksums by migration id, used to adopt entries the seed's runner wrote without one. */
  checksums?: ReadonlyMap<string, string>;
  lock?: Omit<MongoLockOptions, 'collection'>;
}

let counter = 0;
function nextSeq(): number {
  counter = (counter + 1) % 1000;
  return Date.now() * 1000 + counter;
}

function parseData(doc: LedgerDocument, collection: string): Record<string, unknown> | undefined {
  if (doc.data === undefined || doc.data === null) return undefined;
  try {
    return JSON.parse(doc.data) as Record<string, unknown>;
  } catch (error) {
    throw new TidemarkError('STEP_FAILED', `ledger collection "${collection}": field "data" is not JSON text`, {
      plugin: PLUGIN_NAME,
      migration: doc.name,
      cause: error,
    });
  }
}

// A checksum an earlier release recorded is given back as recorded: the migration's `previousChecksums` (core)
// say which of them are no drift.
export function toEntry(
  doc: LedgerDocument,
  checksums?: ReadonlyMap<string, string>,
  collection = DEFAULT_NAMES.ledger,
): LedgerEntry {
  const data = parseData(doc, collection);
  const legacy = doc.checksum === undefined;
  const current = checksums?.get(doc.name);
  const note = doc.note ?? (legacy ? 'recorded by an earlier runner without a checksum; adopted' : undefined);
  return {
    id: doc.name,
    checksum: doc.checksum ?? current ?? '',
    outcome: doc.outcome ?? 'applied',
    at: (doc.applied_at instanceof Date ? doc.applied_at : new Date(doc.applied_at)).toISOString(),
    durationMs: doc.duration ?? 0,
    by: doc.by ?? 'unknown',
    runId: doc.run_id ?? 'legacy',
    ...(note === undefined ? {} : { note }),
    ...(doc.snapshot ? { snapshot: { guard: doc.snapshot.guard, ref: doc.snapshot.ref } } : {}),
    ...(data === undefined ? {} : { data }),
  };
}

export function mongoLedger(
  db: Db,
  options: MongoLedgerOptions = {},
): Ledger & { readonly checkpoints: CheckpointStore } {
  const names = options.names ?? DEFAULT_NAMES;
  const entries = () => db.collection<LedgerDocument>(names.ledger);
  const checkpoints = () => db.collection<{ _id: string; data: unknown; saved_at: Date }>(names.checkpoints);

  return {
    async read(): Promise<LedgerEntry[]> {
      const docs = await entries()
        .find({}, { projection: { _id: 0 } })
        .sort({ seq: 1, applied_at: 1 })
        .toArray();
      // Several documents for one name (the seed's runner could insert twice): the last one counts.
      const latest = new Map<string, LedgerDocument>();
      for (const doc of docs) {
        latest.delete(doc.name);
        latest.set(doc.name, doc);
      }
      return [...latest.values()].map((doc) => toEntry(doc, options.checksums, names.ledger));
    },

    async record(entry: LedgerEntry): Promise<void> {
      const set: Document = {
        name: entry.id,
        applied_at: new Date(entry.at),
        checksum: entry.checksum,
        duration: entry.durationMs,
        by: entry.by,
        outcome: entry.outcome,
        run_id: entry.runId,
        seq: nextSeq(),
      };
      const unset: Document = {};
      if (entry.note === undefined) unset.note = '';
      else set.note = entry.note;
      if (entry.snapshot === undefined) unset.snapshot = '';
      else set.snapshot = { guard: entry.snapshot.guard, ref: entry.snapshot.ref };
      if (entry.data === undefined) unset.data = '';
      else set.data = JSON.stringify(entry.data);
      await entries().deleteMany({ name: entry.id, seq: { $exists: false } });
      await entries().updateOne(
        { name: entry.id },
        { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) },
        { upsert: true },
      );
    },

    async remove(id: string): Promise<void> {
      await entries().deleteMany({ name: id });
    },

    lock: mongoLock(db, { ...options.lock, collection: names.lock }),

    checkpoints: {
      async load(migrationId: string): Promise<unknown> {
        const doc = await checkpoints().findOne({ _id: migrationId });
        return doc ? doc.data : null;
      },
      async save(migrationId: string, data: unknown): Promise<void> {
        await checkpoints().updateOne({ _id: migrationId }, { $set: { data, saved_at: new Date() } }, { upsert: true });
      },
      async clear(migrationId: string): Promise<void> {
        await checkpoints().deleteOne({ _id: migrationId });
      },
    },
  };
}
