// Seed §8: backward compatibility. Legacy worker documents are preserved, the new fields get their defaults,
// and legacy mode is detected (template_name null) — through the app's own mongoose models.
import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPendingMigrations } from '@tidemark/core';
import { randomDbName, startBackend, type Backend } from './test/backend.js';
import { labletWorker, legacyWorker } from './test/workers.js';
import { workerMode } from './worker-mode.js';
import { contextsFromFlags } from './flags.js';
import { mongoPlugin } from './plugin.js';

let backend: Backend;
let conn: mongoose.Connection;

// The legacy app's model knows only the old fields (strict: unknown fields are ignored, not rejected).
const legacySchema = new Schema(
  { _id: String, id: String, state: { name: String, status: String, aws_region: String } },
  { collection: 'cml_workers' },
);

beforeAll(async () => {
  backend = await startBackend();
  conn = await mongoose
    .createConnection(backend.uri, { dbName: randomDbName('tm_compat'), serverSelectionTimeoutMS: 5000 })
    .asPromise();
  await conn.collection('cml_workers').insertMany([legacyWorker(1), labletWorker(2)] as never[]);
  await runPendingMigrations({
    plugin: mongoPlugin(),
    target: { connection: conn },
    contexts: contextsFromFlags({ LABLET_ENABLED: true }),
  });
});
afterAll(async () => {
  await conn?.dropDatabase();
  await conn?.close();
  await backend?.close();
});

describe('backward compatibility (seed §8)', () => {
  test('upgrade preserves data: the legacy worker keeps every field it had', async () => {
    const worker = await conn.collection('cml_workers').findOne({ _id: 'worker-1' as never });
    expect(worker?.state).toMatchObject(legacyWorker(1).state);
    expect(worker?.state.declared_capacity).not.toBeNull();
  });

  test('new fields are defaulted and legacy mode is detected (template_name null)', async () => {
    const worker = await conn.collection('cml_workers').findOne({ _id: 'worker-1' as never });
    expect(worker?.state.template_name).toBeNull();
    expect(worker?.state.declared_capacity).toEqual({ cpu_cores: 48, memory_gb: 192, storage_gb: 500, max_nodes: 20 });
    expect(worker?.state.port_allocations).toEqual([]);
    expect(workerMode(worker as never)).toBe('legacy');
    const lablet = await conn.collection('cml_workers').findOne({ _id: 'worker-2' as never });
    expect(workerMode(lablet as never)).toBe('lablet');
    expect(lablet).toEqual(labletWorker(2));
  });

  test("the legacy app's mongoose model still reads and writes migrated workers", async () => {
    const Legacy = conn.model('LegacyWorker', legacySchema);
    const w = await Legacy.findById('worker-1').lean();
    expect(w?.state?.name).toBe('test-worker-1');
    await Legacy.updateOne({ _id: 'worker-1' }, { $set: { 'state.status': 'running' } });
    const raw = await conn.collection('cml_workers').findOne({ _id: 'worker-1' as never });
    expect(raw?.state.status).toBe('running');
    expect(raw?.state.declared_capacity).toEqual({ cpu_cores: 48, memory_gb: 192, storage_gb: 500, max_nodes: 20 });
  });
});
