import { createRunner } from '@tidemark/core';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { WORKER_EXTENSIONS_ID } from './migrations/002_cml_worker_extensions.js';
import { mongoPlugin } from './plugin.js';
import { connect, freshDb, startBackend, type Backend } from './test/backend.js';
import { labletWorker, legacyWorker } from './test/workers.js';
import { convertWorkerToLablet, workerMode } from './worker-mode.js';

let backend: Backend;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  backend = await startBackend();
  client = await connect(backend);
});
afterAll(async () => {
  await client?.close();
  await backend?.close();
});
beforeEach(async () => {
  db = await freshDb(client);
});
afterEach(async () => {
  await db.dropDatabase();
});

const workers = () => db.collection('cml_workers');
const find = async (id: string) => (await workers().findOne({ _id: id as never }))!;

describe('convertWorkerToLablet (seed §5.3: legacy -> lablet by assigning a template)', () => {
  test('a migrated legacy worker gets its template (and capacity), once; converting again is a no-op', async () => {
    await workers().insertMany([legacyWorker(1), legacyWorker(2)] as never[]);
    await createRunner({ plugin: mongoPlugin(), target: db }).up({ to: WORKER_EXTENSIONS_ID });
    const capacity = { cpu_cores: 32, memory_gb: 128, storage_gb: 400, max_nodes: 12 };
    expect(await convertWorkerToLablet(db, 'worker-1', 'tpl-large', { declaredCapacity: capacity })).toEqual({
      workerId: 'worker-1',
      outcome: 'converted',
      template: 'tpl-large',
    });
    const w1 = await find('worker-1');
    expect(workerMode(w1 as never)).toBe('lablet');
    expect(w1.state).toMatchObject({
      name: 'test-worker-1',
      template_name: 'tpl-large',
      declared_capacity: capacity,
      port_allocations: [],
      lablet_instance_ids: [],
    });
    expect(workerMode((await find('worker-2')) as never)).toBe('legacy');
    expect((await convertWorkerToLablet(db, 'worker-1', 'tpl-large')).outcome).toBe('already');
  });

  test('refuses, naming why and changing nothing: not migrated, unknown, already another template, no template name', async () => {
    await workers().insertMany([legacyWorker(1), labletWorker(2)] as never[]);
    const before = await workers().find().sort({ _id: 1 }).toArray();
    await expect(convertWorkerToLablet(db, 'worker-1', 'tpl-large')).rejects.toThrow(
      /^\[tidemark\] \[plugin-mongo\] worker "worker-1" lacks state\.template_name, .*apply 002_cml_worker_extensions first; nothing changed/,
    );
    await expect(convertWorkerToLablet(db, 'worker-9', 'tpl-large')).rejects.toThrow(
      /worker "worker-9" not found in cml_workers/,
    );
    await expect(convertWorkerToLablet(db, 'worker-2', 'tpl-large')).rejects.toThrow(
      /worker "worker-2" is already lablet-managed with template "tpl-small"; nothing changed/,
    );
    await expect(convertWorkerToLablet(db, 'worker-1', ' ')).rejects.toThrow(
      /the template name must be a non-empty string/,
    );
    expect(await workers().find().sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
