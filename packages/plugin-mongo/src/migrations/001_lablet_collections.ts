// Seed §2.1: the four Lablet Resource Manager collections and their indexes. Unlike the seed's script it is
// safe to re-run (existing collections and serving indexes are kept) and its downgrade drops only the
// collections and indexes this migration created, putting back any index it had to replace.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import type { Db } from 'mongodb';
import { dbOf, type MongoTarget } from '../target.js';
import { collectionNames, indexesOf, indexStatus, isNamespaceNotFound, LABLET_COLLECTIONS, LABLET_INDEXES } from '../schema.js';
import { UndoLog } from '../undo.js';

export const LABLET_COLLECTIONS_ID = '001_lablet_collections';

/** What is missing of 001's collections and indexes; empty when all are there (trait and validator both use it). */
export async function labletSchemaIssues(db: Db): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  const present = await collectionNames(db);
  for (const name of LABLET_COLLECTIONS) {
    if (!present.has(name)) issues.push({ where: name, message: 'collection is missing' });
  }
  const cache = new Map<string, Awaited<ReturnType<typeof indexesOf>>>();
  for (const spec of LABLET_INDEXES) {
    if (!present.has(spec.collection)) continue;
    if (!cache.has(spec.collection)) cache.set(spec.collection, await indexesOf(db, spec.collection));
    const status = indexStatus(cache.get(spec.collection)!, spec);
    if (status.state === 'missing') issues.push({ where: `${spec.collection}.${spec.name}`, message: 'index is missing' });
    if (status.state === 'conflict') {
      issues.push({ where: `${spec.collection}.${status.existing.name}`, message: `index has other options than ${JSON.stringify({ key: spec.key, unique: !!spec.unique, expireAfterSeconds: spec.expireAfterSeconds })}` });
    }
  }
  return issues;
}

export function labletCollections(undoCollection: string) {
  return defineMigration<MongoTarget>({
    id: LABLET_COLLECTIONS_ID,
    title: 'Create the lablet collections and their indexes',
    contexts: ['LABLET_ENABLED'],
    async up(ctx) {
      const db = dbOf(ctx.target);
      const undo = new UndoLog(db, undoCollection, LABLET_COLLECTIONS_ID);
      let done = 0;
      for (const name of LABLET_COLLECTIONS) {
        await undo.ensureCollection(name);
        for (const spec of LABLET_INDEXES.filter((s) => s.collection === name)) await undo.ensureIndex(spec);
        ctx.progress(++done, LABLET_COLLECTIONS.length, name);
      }
    },
    async down(ctx) {
      const db = dbOf(ctx.target);
      const undo = new UndoLog(db, undoCollection, LABLET_COLLECTIONS_ID);
      const record = await undo.read();
      // Without a record (applied by the seed's own script) this is the seed's downgrade: drop all four.
      const created = record ? (record.created_collections ?? []) : [...LABLET_COLLECTIONS];
      if (!record) ctx.warn('no record of what 001 created (applied by another runner): dropping all four lablet collections, as the seed does');
      for (const name of created) {
        try {
          await db.dropCollection(name);
        } catch (error) {
          if (!isNamespaceNotFound(error)) throw error;
        }
      }
      await undo.undoIndexes(record && { ...record, created_indexes: (record.created_indexes ?? []).filter((i) => !created.includes(i.collection)) });
      await undo.clear();
    },
    async validate(ctx) {
      return labletSchemaIssues(dbOf(ctx.target));
    },
  });
}
