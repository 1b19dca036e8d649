import { createRunner, type TidemarkEvent } from '@tidemark/core';
import type { CommandStartedEvent, Db, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { mongoPlugin } from '../plugin.js';
import { ADDED_BY_002, LABLET_COLLECTIONS, ONE_YEAR_SECONDS, WORKER_FIELDS } from '../schema.js';
import { readState, stateText } from '../state.js';
import { connect, freshDb, startBackend, type Backend } from '../test/backend.js';
import { labletWorker, legacyWorker } from '../test/workers.js';
import { LABLET_COLLECTIONS_ID } from './001_lablet_collections.js';
import { EARLIER_002_CHECKSUMS, WORKER_EXTENSIONS_ID } from './002_cml_worker_extensions.js';

let backend: Backend;
let client: MongoClient;
let db: Db;
const commands: CommandStartedEvent[] = [];

beforeAll(async () => {
  backend = await startBackend();
  client = await connect(backend, { monitorCommands: true });
  client.on('commandStarted', (e) => commands.push(e));
});
afterAll(async () => {
  await client?.close();
  await backend?.close();
});
beforeEach(async () => {
  db = await freshDb(client);
  commands.length = 0;
});
afterEach(async () => {
  await db.dropDatabase();
});

const exact = async () => stateText(await readState(db, { exact: true }));
const runner = (events: TidemarkEvent[] = []) => createRunner({ plugin: mongoPlugin(), target: db, onEvent: (e) => events.push(e) });

describe('001_lablet_collections', () => {
  test('creates the four collections with the unique compound index and the one-year TTL index', async () => {
    await runner().up({ to: LABLET_COLLECTIONS_ID });
    const state = await readState(db);
    expect(Object.keys(state).sort()).toEqual([...LABLET_COLLECTIONS].sort());
    expect(state.lablet_definitions?.indexes).toContainEqual({ name: 'state.name_1_state.version_1', key: { 'state.name': 1, 'state.version': 1 }, unique: true });
    expect(state.worker_templates?.indexes).toEqual([{ name: 'state.name_1', key: { 'state.name': 1 }, unique: true }]);
    expect(state.scaling_audit_events?.indexes).toEqual([{ name: 'timestamp_1', key: { timestamp: 1 }, expireAfterSeconds: ONE_YEAR_SECONDS }]);
    expect(state.lablet_instances?.indexes.map((i) => i.name)).toEqual(['state.definition_id_1', 'state.state_1', 'state.state_1_state.timeslot_start_1', 'state.worker_id_1']);
    // The unique compound index is enforced.
    await db.collection('lablet_definitions').insertOne({ state: { name: 'ccna', version: 1 } });
    await db.collection('lablet_definitions').insertOne({ state: { name: 'ccna', version: 2 } });
    await expect(db.collection('lablet_definitions').insertOne({ state: { name: 'ccna', version: 1 } })).rejects.toMatchObject({ code: 11000 });
  });

  test("the seed script's crash at the TTL index (plain timestamp_1 left behind) is repaired, and down puts it back", async () => {
    await db.collection('scaling_audit_events').createIndex({ timestamp: 1 });
    await db.collection('lablet_definitions').insertOne({ _id: 'def-1' as never, state: { name: 'ccna', version: 1 } } as never);
    const before = await exact();
    const events: TidemarkEvent[] = [];
    await runner(events).up({ to: LABLET_COLLECTIONS_ID });
    expect(events.some((e) => e.type === 'trait:detected' && e.trait === 'lablet-schema-missing')).toBe(true);
    const ttl = (await readState(db)).scaling_audit_events?.indexes;
    expect(ttl).toEqual([{ name: 'timestamp_1', key: { timestamp: 1 }, expireAfterSeconds: ONE_YEAR_SECONDS }]);
    await runner().down({ to: null });
    expect(await exact()).toBe(before);
  });

  test('down drops only what up created: a pre-existing lablet collection keeps its documents', async () => {
    await db.collection('worker_templates').insertOne({ _id: 'tpl-small' as never, state: { name: 'tpl-small' } } as never);
    const before = await exact();
    await runner().up({ to: LABLET_COLLECTIONS_ID });
    await runner().down({ to: null });
    expect(await exact()).toBe(before);
  });

  test('a database that already has the schema is baselined, not migrated', async () => {
    await runner().up({ to: LABLET_COLLECTIONS_ID });
    await db.collection('migrations').deleteMany({});
    const result = await runner().up({ to: LABLET_COLLECTIONS_ID });
    expect(result.baselined).toEqual([LABLET_COLLECTIONS_ID]);
    expect(result.applied).toEqual([]);
  });
});

describe('002_cml_worker_extensions', () => {
  test('defaults each capacity field only where it is missing, in ONE server-side updateMany', async () => {
    const partial = legacyWorker(2, { declared_capacity: { cpu_cores: 96, memory_gb: 384, storage_gb: 1000, max_nodes: 50 }, port_range_start: 4000 });
    await db.collection('cml_workers').insertMany([legacyWorker(1), partial, labletWorker(3), ...Array.from({ length: 20 }, (_, i) => legacyWorker(10 + i))] as never[]);
    commands.length = 0;
    await runner().up({ to: WORKER_EXTENSIONS_ID });

    const updates = commands.filter((c) => c.commandName === 'update' && c.command.update === 'cml_workers');
    expect(updates).toHaveLength(1);
    const statements = updates[0]!.command.updates as { multi?: boolean; u: unknown }[];
    expect(statements).toHaveLength(1);
    expect(statements[0]!.multi).toBe(true);
    expect(Array.isArray(statements[0]!.u), 'a pipeline update').toBe(true);

    const byId = new Map((await db.collection('cml_workers').find({}).toArray()).map((d) => [String(d._id), d]));
    expect(byId.get('worker-1')?.state).toMatchObject({
      name: 'test-worker-1',
      template_name: null,
      declared_capacity: { cpu_cores: 48, memory_gb: 192, storage_gb: 500, max_nodes: 20 },
      allocated_capacity: { cpu_cores: 0, memory_gb: 0, storage_gb: 0, max_nodes: 0 },
      port_range_start: 2000,
      port_range_end: 9999,
      port_allocations: [],
      lablet_instance_ids: [],
    });
    // What down needs is in the undo collection, never in the app's documents.
    for (const doc of byId.values()) expect(Object.keys(doc).filter((k) => k.startsWith('_tidemark'))).toEqual([]);
    const added = new Map((await db.collection<{ _id: { migration: string; worker: string }; fields: string[] }>('_tidemark_undo').find({ '_id.migration': WORKER_EXTENSIONS_ID }).toArray()).map((e) => [e._id.worker, e.fields]));
    expect(added.get('worker-1')).toEqual(WORKER_FIELDS);
    // Existing values are never overwritten (the seed's filter on template_name alone would have).
    expect(byId.get('worker-2')?.state.declared_capacity).toEqual({ cpu_cores: 96, memory_gb: 384, storage_gb: 1000, max_nodes: 50 });
    expect(byId.get('worker-2')?.state.port_range_start).toBe(4000);
    expect(added.get('worker-2')).toEqual(WORKER_FIELDS.filter((f) => f !== 'declared_capacity' && f !== 'port_range_start'));
    // A worker that had everything is untouched, and needs no undo entry.
    expect(byId.get('worker-3')).toEqual(labletWorker(3));
    expect(added.has('worker-3')).toBe(false);
    const indexes = await db.collection('cml_workers').listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toContain('state.status_1_state.template_name_1');
  });

  test('down(up(x)) == x exactly (field order and number types included), for legacy, partial and current workers', async () => {
    await db.collection('cml_workers').insertMany([
      legacyWorker(1),
      legacyWorker(2, { template_name: null, port_allocations: [{ port: 2001 }] }),
      legacyWorker(4, { lablet_instance_ids: ['li-9'], declared_capacity: null }),
      labletWorker(3),
      { _id: 'no-state', id: 'no-state' },
    ] as never[]);
    await db.collection('cml_workers').createIndex({ 'state.name': 1 }, { unique: true });
    const before = await exact();
    await runner().up({ to: WORKER_EXTENSIONS_ID });
    expect(await exact()).not.toBe(before);
    await runner().down({ to: null });
    expect(await exact()).toBe(before);
  });

  test('down keeps a value the app changed after 002 added it, and says so', async () => {
    await db.collection('cml_workers').insertOne(legacyWorker(1) as never);
    await runner().up({ to: WORKER_EXTENSIONS_ID });
    // Seed §5.3: an operator converts the legacy worker to lablet mode by assigning a template.
    await db.collection('cml_workers').updateOne({ _id: 'worker-1' as never }, { $set: { 'state.template_name': 'tpl-large' } });
    const events: TidemarkEvent[] = [];
    await runner(events).down({ to: null });
    const worker = await db.collection('cml_workers').findOne({ _id: 'worker-1' as never });
    expect(worker?.state).toEqual({ ...legacyWorker(1).state, template_name: 'tpl-large' });
    expect(worker).not.toHaveProperty(ADDED_BY_002);
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && /state\.template_name/.test(e.message))).toBe(true);
  });

  test('a target an earlier release migrated (the added-fields list inside each worker, no undo entries) rolls back, and loses the list', async () => {
    // What the previous release left: 001 and 002 applied (its tsc-built checksum in the ledger), each changed
    // worker carrying ADDED_BY_002, the undo collection holding only the index record.
    const before = [legacyWorker(1), legacyWorker(2, { port_range_start: 4000 }), labletWorker(3)];
    await db.collection('cml_workers').insertMany(before.map((w) => structuredClone(w)) as never[]);
    await runner().up({ to: WORKER_EXTENSIONS_ID });
    const entries = db.collection('_tidemark_undo');
    await entries.deleteMany({ '_id.migration': WORKER_EXTENSIONS_ID });
    const workers = db.collection('cml_workers');
    await workers.updateOne({ _id: 'worker-1' as never }, { $set: { [ADDED_BY_002]: WORKER_FIELDS } });
    await workers.updateOne({ _id: 'worker-2' as never }, { $set: { [ADDED_BY_002]: WORKER_FIELDS.filter((f) => f !== 'port_range_start') } });
    // The earlier release's entry (its tsc-built or its tsx checksum) is no drift: 002's previousChecksums.
    for (const earlier of EARLIER_002_CHECKSUMS) {
      await db.collection('migrations').updateOne({ name: WORKER_EXTENSIONS_ID }, { $set: { checksum: earlier } });
      const verified = await runner().verify();
      expect(verified.plan.drift).toEqual([]);
    }
    await runner().down({ to: LABLET_COLLECTIONS_ID });
    const after = new Map((await workers.find({}).toArray()).map((d) => [String(d._id), d]));
    expect(after.get('worker-1')).toEqual(legacyWorker(1));
    expect(after.get('worker-2')).toEqual(legacyWorker(2, { port_range_start: 4000 }));
    expect(after.get('worker-3')).toEqual(labletWorker(3));
  });

  test('on an empty database 002 creates cml_workers with its index, and down removes both', async () => {
    await runner().up({ to: WORKER_EXTENSIONS_ID });
    expect((await db.listCollections().toArray()).map((c) => c.name)).toContain('cml_workers');
    await runner().down({ to: null });
    expect(Object.keys(await readState(db))).toEqual([]);
  });
});
