// Seed §2.2: capacity-tracking fields on cml_workers, plus the (status, template_name) index.
// Beyond the seed: each field gets its default only where that field is missing (the seed's filter on
// template_name alone would overwrite capacity a worker already had), in ONE server-side pipeline
// updateMany. Which fields it added to which worker is kept out of the app's documents: one server-side
// aggregate writes it ($merge) into the undo collection first, one entry per worker; the downgrade removes
// exactly those fields (while they still hold the default), then the entries. down(up(x)) == x, field order
// included. Workers migrated by an earlier release carry the list in the document itself (ADDED_BY_002):
// down reads that too, and removes it.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import type { Db, Document } from 'mongodb';
import { dbOf, type MongoTarget } from '../target.js';
import { ADDED_BY_002, collectionNames, indexesOf, indexStatus, WORKER_DEFAULTS, WORKER_FIELDS, WORKER_INDEX, WORKERS, workersMissingFields } from '../schema.js';
import { UndoLog } from '../undo.js';

export const WORKER_EXTENSIONS_ID = '002_cml_worker_extensions';

/**
 * The checksums release 0.1.0 (43208b9) recorded for 002, built by tsc and under tsx (core normalises the two
 * sources differently), whose work this release can undo: declared as 002's `previousChecksums`, so a target
 * migrated before is no drift.
 */
export const EARLIER_002_CHECKSUMS: readonly string[] = ['44288d1c339f09ec', '691dc82e327f816d'];

const isMissing = (field: string): Document => ({ $eq: [{ $type: `$state.${field}` }, 'missing'] });

/** One undo entry per worker 002 changes: `{ _id: { migration, worker }, fields }`, in the undo collection. */
export interface AddedFieldsEntry {
  _id: { migration: string; worker: unknown };
  fields: string[];
}

/**
 * The aggregate that records, per worker about to be changed, the fields 002 will add. `keepExisting`: a
 * retried `up` (after a crash between this and the update) keeps what the first attempt recorded.
 */
export function recordAddedFieldsPipeline(undoCollection: string): Document[] {
  return [
    { $match: workersMissingFields() },
    {
      $project: {
        _id: { migration: { $literal: WORKER_EXTENSIONS_ID }, worker: '$_id' },
        fields: { $filter: { input: WORKER_FIELDS.map((f) => ({ $cond: [isMissing(f), f, null] })), as: 'f', cond: { $ne: ['$$f', null] } } },
      },
    },
    { $merge: { into: undoCollection, on: '_id', whenMatched: 'keepExisting', whenNotMatched: 'insert' } },
  ];
}

/** The single update: pipeline form so "only where missing" is decided per field, per document, on the server. */
export function addCapacityFieldsUpdate(): Document[] {
  const set: Document = {};
  for (const [field, value] of WORKER_DEFAULTS) {
    set[`state.${field}`] = { $cond: [isMissing(field), { $literal: value }, `$state.${field}`] };
  }
  return [{ $set: set }];
}

/** The update one worker needs, computed client-side (the per-document loop the benchmark compares against). */
export function addCapacityFieldsFor(state: Record<string, unknown>): { $set: Document } | null {
  const added = WORKER_DEFAULTS.filter(([f]) => !(f in state));
  if (added.length === 0) return null;
  const $set: Document = {};
  for (const [f, v] of added) $set[`state.${f}`] = structuredClone(v);
  return { $set };
}

const ENTRY_BATCH = 1000;

/**
 * Unsets each field 002 added where it still holds the default: for the workers of the undo entries, and for
 * workers whose document carries an earlier release's ADDED_BY_002 list. Returns, per field, how many workers
 * changed the value since (kept).
 */
async function removeAddedFields(db: Db, undoCollection: string): Promise<Map<string, number>> {
  const workers = db.collection(WORKERS);
  const changed = new Map<string, number>();
  const unset = async (field: string, value: unknown, which: Document) => {
    const kept = await workers.countDocuments({ ...which, [`state.${field}`]: { $ne: value } });
    if (kept > 0) changed.set(field, (changed.get(field) ?? 0) + kept);
    await workers.updateMany({ ...which, [`state.${field}`]: value }, { $unset: { [`state.${field}`]: '' } });
  };
  const entries = db.collection<AddedFieldsEntry>(undoCollection).find({ '_id.migration': WORKER_EXTENSIONS_ID }, { batchSize: ENTRY_BATCH });
  let batch: AddedFieldsEntry[] = [];
  const flush = async () => {
    for (const [field, value] of WORKER_DEFAULTS) {
      const ids = batch.filter((e) => e.fields.includes(field)).map((e) => e._id.worker);
      if (ids.length > 0) await unset(field, value, { _id: { $in: ids } });
    }
    batch = [];
  };
  for await (const entry of entries) {
    batch.push(entry);
    if (batch.length >= ENTRY_BATCH) await flush();
  }
  await flush();
  for (const [field, value] of WORKER_DEFAULTS) await unset(field, value, { [ADDED_BY_002]: field });
  await workers.updateMany({ [ADDED_BY_002]: { $exists: true } }, { $unset: { [ADDED_BY_002]: '' } });
  return changed;
}

export async function workerIssues(db: Db): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  const lacking = await db.collection(WORKERS).find(workersMissingFields(), { projection: { _id: 1, state: 1 } }).limit(5).toArray();
  for (const doc of lacking) {
    const missing = WORKER_FIELDS.filter((f) => !(f in (doc.state as Record<string, unknown>)));
    issues.push({ where: `${WORKERS} _id=${String(doc._id)}`, message: `state lacks ${missing.join(', ')}` });
  }
  if (!(await collectionNames(db)).has(WORKERS) || indexStatus(await indexesOf(db, WORKERS), WORKER_INDEX).state !== 'ok') {
    issues.push({ where: `${WORKERS}.${WORKER_INDEX.name}`, message: 'capacity index is missing' });
  }
  return issues;
}

export function workerExtensions(undoCollection: string) {
  return defineMigration<MongoTarget>({
    id: WORKER_EXTENSIONS_ID,
    title: 'Add capacity tracking fields and index to cml_workers',
    contexts: ['LABLET_ENABLED', 'SCHEDULER_ENABLED', 'CONTROLLER_ENABLED'],
    previousChecksums: EARLIER_002_CHECKSUMS,
    async up(ctx) {
      const db = dbOf(ctx.target);
      const undo = new UndoLog(db, undoCollection, WORKER_EXTENSIONS_ID);
      await undo.ensureCollection(WORKERS);
      // What down needs goes to the undo collection first (never into the app's documents).
      await db.collection(WORKERS).aggregate(recordAddedFieldsPipeline(undoCollection)).toArray();
      const result = await db.collection(WORKERS).updateMany(workersMissingFields(), addCapacityFieldsUpdate());
      ctx.log(`defaulted capacity fields on ${result.modifiedCount} worker(s)`, { matched: result.matchedCount, modified: result.modifiedCount });
      const odd = await db.collection(WORKERS).countDocuments({ state: { $not: { $type: 'object' } } });
      if (odd > 0) ctx.warn(`${odd} cml_workers document(s) have no state object; left as they are`);
      await undo.ensureIndex(WORKER_INDEX);
    },
    async down(ctx) {
      const db = dbOf(ctx.target);
      const workers = db.collection(WORKERS);
      const undo = new UndoLog(db, undoCollection, WORKER_EXTENSIONS_ID);
      const record = await undo.read();
      for (const [field, n] of await removeAddedFields(db, undoCollection)) {
        ctx.warn(`${n} worker(s) changed state.${field} after 002 added it; their value is kept`, { field, workers: n });
      }
      await db.collection<AddedFieldsEntry>(undoCollection).deleteMany({ '_id.migration': WORKER_EXTENSIONS_ID });
      await undo.undoIndexes(record);
      // cml_workers itself is dropped only if 002 created it and nothing was stored in it since.
      if (record?.created_collections?.includes(WORKERS) && (await workers.countDocuments({})) === 0) {
        await workers.drop();
      }
      await undo.clear();
    },
    async validate(ctx) {
      return workerIssues(dbOf(ctx.target));
    },
  });
}
