// Read-only detectors of the legacy shapes the seed's migrations fix; each gates its migration, so a database
// that already has the shape (e.g. created by the new app version) is baselined instead of migrated.
import { defineTrait } from '@tidemark/core';
import { labletSchemaIssues, LABLET_COLLECTIONS_ID } from '../migrations/001_lablet_collections.js';
import { WORKER_EXTENSIONS_ID } from '../migrations/002_cml_worker_extensions.js';
import {
  collectionNames,
  indexesOf,
  indexStatus,
  WORKER_FIELDS,
  WORKER_INDEX,
  WORKERS,
  workersMissingFields,
} from '../schema.js';
import { dbOf, type MongoTarget } from '../target.js';

export const labletSchemaMissing = defineTrait<MongoTarget>({
  id: 'lablet-schema-missing',
  title: 'Lablet collections or their indexes are missing',
  fixes: [LABLET_COLLECTIONS_ID],
  async detect(target) {
    const issues = await labletSchemaIssues(dbOf(target));
    if (issues.length === 0) return null;
    return {
      summary: issues.map((i) => `${i.where}: ${i.message}`).join('; '),
      details: { missing: issues.map((i) => i.where) },
    };
  },
});

export const workersInLegacyShape = defineTrait<MongoTarget>({
  id: 'workers-without-capacity-fields',
  title: 'CML workers lack capacity tracking fields (legacy mode), or the capacity index is missing',
  fixes: [WORKER_EXTENSIONS_ID],
  async detect(target) {
    const db = dbOf(target);
    const workers = db.collection(WORKERS);
    const lacking = await workers.countDocuments(workersMissingFields());
    const hasCollection = (await collectionNames(db)).has(WORKERS);
    const indexMissing = !hasCollection || indexStatus(await indexesOf(db, WORKERS), WORKER_INDEX).state !== 'ok';
    if (lacking === 0 && !indexMissing) return null;
    const legacy =
      lacking === 0
        ? 0
        : await workers.countDocuments({ state: { $type: 'object' }, 'state.template_name': { $exists: false } });
    const sample =
      lacking === 0
        ? []
        : await workers
            .find(workersMissingFields(), { projection: { _id: 1 } })
            .limit(3)
            .toArray();
    const parts = [
      ...(lacking > 0
        ? [
            `${lacking} worker(s) lack some of ${WORKER_FIELDS.join(', ')} (${legacy} without template_name: legacy mode)`,
          ]
        : []),
      ...(indexMissing ? [`index ${WORKER_INDEX.name} is missing`] : []),
    ];
    return {
      summary: parts.join('; '),
      details: {
        workersLackingFields: lacking,
        legacyMode: legacy,
        indexMissing,
        sample: sample.map((d) => String(d._id)),
      },
    };
  },
});

export const traits = [labletSchemaMissing, workersInLegacyShape];
