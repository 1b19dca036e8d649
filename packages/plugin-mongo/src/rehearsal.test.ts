import { createRunner } from '@tidemark/core';
import type { Db } from 'mongodb';
import { expect, test } from 'vitest';
import { mongoPlugin } from './plugin.js';
import { readState, stateText } from './state.js';
import { useBackend, freshDb } from './test/backend.js';
import { labletWorker, legacyWorker } from './test/workers.js';

const mongo = useBackend();

const databases = async () =>
  ((await mongo.client.db('admin').admin().listDatabases()).databases ?? []).map((d) => d.name);

test('rehearse applies the plan on a scratch copy, reports what would change, and leaves the database untouched', async () => {
  const db: Db = await freshDb(mongo.client);
  try {
    await db.collection('cml_workers').insertMany([legacyWorker(1), labletWorker(2), legacyWorker(3)] as never[]);
    const before = await stateText(await readState(db, { exact: true }));
    const dbsBefore = await databases();
    const report = await createRunner({ plugin: mongoPlugin(), target: db }).rehearse();
    expect(report.outcome).toBe('ok');
    expect(report.applied).toEqual(['001_lablet_collections', '002_cml_worker_extensions']);
    expect(report.diff.changes).toContainEqual({
      kind: 'changed',
      path: 'cml_workers.documents',
      detail: '2 document(s), e.g. worker-1, worker-3',
    });
    expect(report.diff.changes).toContainEqual(
      expect.objectContaining({ kind: 'added', path: 'cml_workers.indexes.state.status_1_state.template_name_1' }),
    );
    expect(
      report.diff.changes
        .filter((c) => c.kind === 'added' && !c.path.includes('.'))
        .map((c) => c.path)
        .sort(),
    ).toEqual(['lablet_definitions', 'lablet_instances', 'scaling_audit_events', 'worker_templates']);
    expect(await stateText(await readState(db, { exact: true }))).toBe(before);
    expect(await db.collection('migrations').countDocuments({})).toBe(0);
    expect((await databases()).filter((n) => n.includes('_rehearsal_'))).toEqual(
      dbsBefore.filter((n) => n.includes('_rehearsal_')),
    );
  } finally {
    await db.dropDatabase();
  }
});
