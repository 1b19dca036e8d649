// The plugin's harness for @tidemark/testing: a target is a fresh random database on the suite's backend;
// its state is every application collection (options, indexes, documents) as plain data.
import type { PluginHarness } from '@tidemark/testing';
import fc from 'fast-check';
import type { Db, Document, MongoClient } from 'mongodb';
import { mongoPlugin } from '../plugin.js';
import { dbOf, type MongoTarget } from '../target.js';
import { LABLET_INDEXES, WORKER_INDEX, type IndexSpec } from '../schema.js';
import { loadFixture, readState, writeFixture, writeStateToDb, type IndexState, type MongoState } from '../state.js';
import { connect, freshDb, type Backend } from './backend.js';

const asIndex = (spec: IndexSpec): IndexState => ({
  name: spec.name,
  key: spec.key,
  ...(spec.unique ? { unique: true } : {}),
  ...(spec.expireAfterSeconds === undefined ? {} : { expireAfterSeconds: spec.expireAfterSeconds }),
});

const capacity = fc.record({
  cpu_cores: fc.integer({ min: 0, max: 128 }),
  memory_gb: fc.integer({ min: 0, max: 1024 }),
  storage_gb: fc.integer({ min: 0, max: 4000 }),
  max_nodes: fc.integer({ min: 0, max: 500 }),
});

/** Any mix of the capacity fields a worker may already have: none (legacy), some, or all, with any values. */
const capacityFields = fc.record(
  {
    template_name: fc.option(fc.constantFrom('tpl-small', 'tpl-large'), { nil: null }),
    declared_capacity: fc.option(capacity, { nil: null }),
    allocated_capacity: capacity,
    port_range_start: fc.integer({ min: 1024, max: 5000 }),
    port_range_end: fc.integer({ min: 5001, max: 65535 }),
    port_allocations: fc.array(
      fc.record({ port: fc.integer({ min: 2000, max: 9999 }), instance_id: fc.constantFrom('li-1', 'li-2') }),
      { maxLength: 2 },
    ),
    lablet_instance_ids: fc.array(fc.constantFrom('li-1', 'li-2', 'li-3'), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const worker = (i: number) =>
  fc
    .record({
      status: fc.constantFrom('running', 'stopped', 'pending'),
      region: fc.constantFrom('us-east-1', 'eu-west-1'),
      fields: capacityFields,
    })
    .map(({ status, region, fields }): Document => ({
      _id: `w${i}`,
      id: `w${i}`,
      state: { name: `worker-${i}`, status, aws_region: region, ...fields },
    }));

const workers = fc
  .integer({ min: 0, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => worker(i))));

/** Lablet collections that may already exist: with some of their indexes, or the seed's crashed TTL index. */
const labletPart = fc.record(
  {
    lablet_definitions: fc.subarray(LABLET_INDEXES.filter((i) => i.collection === 'lablet_definitions')),
    lablet_instances: fc.subarray(LABLET_INDEXES.filter((i) => i.collection === 'lablet_instances')),
    worker_templates: fc.subarray(LABLET_INDEXES.filter((i) => i.collection === 'worker_templates')),
    scaling_audit_events: fc.constantFrom('ttl', 'plain', 'none'),
  },
  { requiredKeys: [] },
);

export const legacyState: fc.Arbitrary<MongoState> = fc
  .record({ workers, cmlExists: fc.boolean(), workerIndex: fc.boolean(), lablet: labletPart, templates: fc.boolean() })
  .map(({ workers: docs, cmlExists, workerIndex, lablet, templates }) => {
    const state: MongoState = {};
    for (const [name, value] of Object.entries(lablet)) {
      if (name === 'scaling_audit_events') {
        const ix =
          value === 'ttl'
            ? [asIndex(LABLET_INDEXES.find((i) => i.collection === name)!)]
            : value === 'plain'
              ? [{ name: 'timestamp_1', key: { timestamp: 1 } }]
              : [];
        state[name] = { indexes: ix, documents: [] };
      } else {
        state[name] = {
          indexes: (value as IndexSpec[]).map(asIndex).sort((a, b) => a.name.localeCompare(b.name)),
          documents: [],
        };
      }
    }
    if (templates && state.worker_templates)
      state.worker_templates.documents = [{ _id: 'tpl-small', state: { name: 'tpl-small' } }];
    if (docs.length > 0 || cmlExists)
      state.cml_workers = { indexes: workerIndex ? [asIndex(WORKER_INDEX)] : [], documents: [...docs] };
    return Object.fromEntries(Object.entries(state).sort(([a], [b]) => a.localeCompare(b)));
  });

export function mongoHarness(
  getBackend: () => Backend,
  getClient: () => MongoClient,
): PluginHarness<MongoTarget, MongoState> {
  const attached = new WeakMap<Db, MongoClient>();
  return {
    plugin: mongoPlugin(),
    create: async (state) => {
      const db = await freshDb(getClient());
      await writeStateToDb(db, state);
      return db;
    },
    read: (t) => readState(dbOf(t)),
    dispose: async (t) => {
      await dbOf(t).dropDatabase();
    },
    fixture: { load: loadFixture, write: writeFixture },
    arbitrary: legacyState,
    reversible: true,
    attach: async (t) => {
      const client = await connect(getBackend());
      const other = client.db(dbOf(t).databaseName);
      attached.set(other, client);
      return other;
    },
    detach: async (t) => {
      await attached.get(dbOf(t))?.close();
    },
    runner: { lock: { pollMs: 5 } },
  };
}
