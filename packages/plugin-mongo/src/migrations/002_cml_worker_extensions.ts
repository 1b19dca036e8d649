// Seed §2.2: capacity-tracking fields on cml_workers, plus the (status, template_name) index.
// Beyond the seed: each field gets its default only where that field is missing (the seed's filter on
// template_name alone would overwrite capacity a worker already had), in ONE server-side pipeline
// updateMany; the same update writes a per-document list of the fields it added, and the downgrade removes
// exactly those (while they still hold the default), then the list. down(up(x)) == x, field order included.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import type { Db, Document } from 'mongodb';
import { dbOf, type MongoTarget } from '../target.js';
import { ADDED_BY_002, collectionNames, indexesOf, indexStatus, WORKER_DEFAULTS, WORKER_FIELDS, WORKER_INDEX, WORKERS, workersMissingFields } from '../schema.js';
import { UndoLog } from '../undo.js';

export const WORKER_EXTENSIONS_ID = '002_cml_worker_extensions';

const isMissing = (field: string): Document => ({ $eq: [{ $type: `$state.${field}` }, 'missing'] });

/** The single update: pipeline form so "only where missing" is decided per field, per document, on the server. */
export function addCapacityFieldsUpdate(): Document[] {
  // The marker comes first: MongoDB evaluates a $set stage against its input document, but engines that
  // apply dotted fields in place (mingo, behind the test server) would otherwise see the fields just added.
  const set: Document = {
    [ADDED_BY_002]: {
      $filter: { input: WORKER_FIELDS.map((f) => ({ $cond: [isMissing(f), f, null] })), as: 'f', cond: { $ne: ['$$f', null] } },
    },
  };
  for (const [field, value] of WORKER_DEFAULTS) {
    set[`state.${field}`] = { $cond: [isMissing(field), { $literal: value }, `$state.${field}`] };
  }
  return [{ $set: set }];
}

/** The update one worker needs, computed client-side (the per-document loop the benchmark compares against). */
export function addCapacityFieldsFor(state: Record<string, unknown>): { $set: Document } | null {
  const added = WORKER_DEFAULTS.filter(([f]) => !(f in state));
  if (added.length === 0) return null;
  const $set: Document = { [ADDED_BY_002]: added.map(([f]) => f) };
  for (const [f, v] of added) $set[`state.${f}`] = structuredClone(v);
  return { $set };
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
    async up(ctx) {
      const db = dbOf(ctx.target);
      const undo = new UndoLog(db, undoCollection, WORKER_EXTENSIONS_ID);
      await undo.ensureCollection(WORKERS);
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
      for (const [field, value] of WORKER_DEFAULTS) {
        const changed = await workers.countDocuments({ [ADDED_BY_002]: field, [`state.${field}`]: { $ne: value } });
        if (changed > 0) ctx.warn(`${changed} worker(s) changed state.${field} after 002 added it; their value is kept`, { field, workers: changed });
        await workers.updateMany({ [ADDED_BY_002]: field, [`state.${field}`]: value }, { $unset: { [`state.${field}`]: '' } });
      }
      await workers.updateMany({ [ADDED_BY_002]: { $exists: true } }, { $unset: { [ADDED_BY_002]: '' } });
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
