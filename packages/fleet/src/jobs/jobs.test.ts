import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelRecorder, REDIS_URL, uniqueId, waitFor } from '../test/redis.js';
import { buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { fleetTestPlugin, runShape } from '../test/fleet-plugin.js';
import { startFleetWorker } from './worker.js';
import { finishedJob, useFleetQueue } from '../test/fleet-queue.js';

async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else hash.update(`${relative(dir, p)}\0`).update(await readFile(p));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

const fx = useFleetQueue({ dirPrefix: 'tidemark-fleet-jobs-', backoffMs: 200 });

const worker = async (extra: Parameters<typeof startFleetWorker>[0] = {}) => {
  const w = await startFleetWorker({
    ...fx.names,
    redis: REDIS_URL,
    root: fx.root,
    plugin: fleetTestPlugin(),
    lock: { ttlMs: 3000, waitMs: 10_000 },
    nodbLockTtlMs: 3000,
    ...extra,
  });
  fx.workers.push(w);
  await w.ready();
  return w;
};

const finished = (jobId: string) => finishedJob(fx.fq, jobId);

describe('fleet jobs on BullMQ (real Redis)', () => {
  it('migrates runs, publishes the seed event names on <runid>:migration, and refuses READONLY without retrying', async () => {
    const ok = uniqueId('ok');
    const ro = uniqueId('ro');
    const okDir = await buildLegacyRun(fx.root, { runId: ok, extras: [] });
    const roDir = await buildLegacyRun(fx.root, { runId: ro, extras: [], readonly: true });
    const roBefore = await treeHash(roDir);
    const rec = await channelRecorder([ok, ro]);
    try {
      const [a, b] = await fx.fq.enqueue('migration', [{ runId: ok }, { runId: ro }]);
      await worker({ concurrency: 2 });
      const done = await finished(a!.jobId);
      expect(done.state).toBe('completed');
      expect(done.job.returnvalue).toMatchObject({
        status: 'migrated',
        detail: { applied: ['f001-watershed-csv', 'f002-geojson-ids'], toVersion: 1002 },
      });
      expect(await runShape(okDir)).toBe('migrated');
      const refused = await finished(b!.jobId);
      expect(refused.state).toBe('failed');
      expect(refused.job.attemptsMade).toBe(1); // READONLY is permanent: no retry
      expect(await treeHash(roDir)).toBe(roBefore);

      await waitFor('COMPLETE on the channel', () => rec.events(ok).includes('COMPLETE'));
      const events = rec.events(ok, `${ok}:migration`);
      expect(events[0]).toBe('ENQUEUED');
      expect(events).toEqual(
        expect.arrayContaining([
          'STARTED',
          'TRAIT_DETECTED',
          'LOCKS_OK',
          'ARCHIVE_COMPLETE',
          'STEP_STARTED',
          'STEP_COMPLETE',
          'VERSION_STAMPED',
        ]),
      );
      expect(events.indexOf('ARCHIVE_COMPLETE')).toBeLessThan(events.indexOf('STEP_STARTED'));
      expect(events.at(-1)).toBe('COMPLETE');
      await waitFor('EXCEPTION for the READONLY run', () => rec.events(ro).includes('EXCEPTION'));
      const exception = rec.messages.find((m) => m.runId === ro && m.event === 'EXCEPTION')!;
      expect(exception.detail).toMatchObject({ reason: 'READONLY', permanent: true, willRetry: false });

      const row = await fx.fq.index.get(ok);
      expect(row).toMatchObject({
        runId: ok,
        config: 'disturbed9002',
        version: 1002,
        lastStatus: 'migrated',
        traits: ['watershed-csv', 'geojson-string-ids'],
      });
      expect(row!.archives[0]).toMatch(new RegExp(`^${ok}\\.pre_migration\\.\\d{8}T\\d{6}Z\\.zip$`));
      expect((await fx.fq.index.get(ro))!.lastStatus).toBe('failed:READONLY');
    } finally {
      await rec.close();
    }
  });

  it('collapses duplicate jobs for one run (one job per run id, whatever the kind)', async () => {
    const id = uniqueId('dup');
    await buildLegacyRun(fx.root, { runId: id, extras: [] });
    const first = await fx.fq.enqueue('migration', [{ runId: id }]);
    const again = await fx.fq.enqueue('migration', [{ runId: id }, { runId: id }]);
    const other = await fx.fq.enqueue('restore', [{ runId: id }]);
    expect(first[0]!.collapsed).toBe(false);
    expect([...again, ...other].every((r) => r.collapsed && r.jobId === first[0]!.jobId)).toBe(true);
    expect(await fx.fq.queue.getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(1);
    await worker();
    expect((await finished(first[0]!.jobId)).state).toBe('completed');
    // Once finished, the run takes a new job again.
    const next = await fx.fq.enqueue('validate', [{ runId: id }]);
    expect(next[0]!.collapsed).toBe(false);
    expect((await finished(next[0]!.jobId)).job.returnvalue).toMatchObject({ status: 'valid' });
  });

  it('validate-only detects traits and writes nothing; restore brings back the pre-migration archive', async () => {
    const id = uniqueId('vr');
    const dir = await buildLegacyRun(fx.root, { runId: id, extras: [] });
    const before = await treeHash(dir);
    await worker();
    const v = (await fx.fq.enqueue('validate', [{ runId: id }]))[0]!;
    const validated = await finished(v.jobId);
    expect(validated.job.returnvalue).toMatchObject({
      status: 'needs-migration',
      detail: { traits: ['watershed-csv', 'geojson-string-ids'], pending: ['f001-watershed-csv', 'f002-geojson-ids'] },
    });
    expect(await treeHash(dir)).toBe(before);

    const m = (await fx.fq.enqueue('migration', [{ runId: id }]))[0]!;
    expect((await finished(m.jobId)).state).toBe('completed');
    expect(await runShape(dir)).toBe('migrated');

    // A zip dropped into archives/ with a newer name is not "the last archive": the ledger names the one taken.
    const taken = (await readdir(join(dir, 'archives'))).find((n) => n.endsWith('.zip'))!;
    const planted = `${id}.pre_migration.29991231T235959Z.zip`;
    await copyFile(join(dir, 'archives', taken), join(dir, 'archives', planted));
    await writeFile(join(dir, 'archives', planted), Buffer.from('PK\u0005\u0006 not the archive a migration took'));
    const rec = await channelRecorder([id]);
    try {
      const r = (await fx.fq.enqueue('restore', [{ runId: id }]))[0]!;
      const restored = await finished(r.jobId);
      expect(restored.state).toBe('completed');
      expect(restored.job.returnvalue!.detail!.archive).toBe(`archives/${taken}`);
      expect(await runShape(dir)).toBe('legacy');
      await waitFor('RESTORE_COMPLETE on <runid>:archive', () => rec.events(id, `${id}:archive`).includes('COMPLETE'));
      expect(rec.events(id, `${id}:archive`)).toEqual(['ENQUEUED', 'STARTED', 'RESTORE_COMPLETE', 'COMPLETE']);
      expect((await fx.fq.index.get(id))!.lastStatus).toBe('restored');
    } finally {
      await rec.close();
    }
  });

  it('a failing step is restored by the archive guard and reported, and is not retried', async () => {
    const id = uniqueId('bad');
    const dir = await buildLegacyRun(fx.root, { runId: id, extras: [] });
    const before = await treeHash(dir);
    await worker({ plugin: fleetTestPlugin({ failRunsContaining: id }) });
    const rec = await channelRecorder([id]);
    try {
      const j = (await fx.fq.enqueue('migration', [{ runId: id }]))[0]!;
      const result = await finished(j.jobId);
      expect(result.state).toBe('failed');
      expect(result.job.attemptsMade).toBe(1);
      expect(await runShape(dir)).toBe('legacy');
      await waitFor('EXCEPTION', () => rec.events(id).includes('EXCEPTION'));
      expect(rec.events(id)).toEqual(expect.arrayContaining(['STEP_FAILED', 'RESTORE_COMPLETE', 'EXCEPTION']));
      expect(rec.messages.find((m) => m.event === 'EXCEPTION')!.detail).toMatchObject({
        reason: 'STEP_FAILED',
        willRetry: false,
      });
      // The failed pre-migration archive is discarded (it equals the run); the run's files are as before.
      expect((await fx.fq.index.get(id))!.archives).toEqual([]);
      expect(before).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await rec.close();
    }
  });

  it('retries with backoff while the web app holds a .nodb lock, then migrates', async () => {
    const id = uniqueId('lk');
    const dir = await buildLegacyRun(fx.root, { runId: id, extras: [] });
    await fx.redis.set(`nodb-lock:${id}:ron.nodb`, JSON.stringify({ token: 'web', owner: 'web-1:42' }), 'EX', 120);
    const rec = await channelRecorder([id]);
    try {
      await worker();
      const j = (await fx.fq.enqueue('migration', [{ runId: id }]))[0]!;
      // The web app releases its lock only after the first attempt was refused.
      await waitFor('a refused attempt', () =>
        rec.messages.some(
          (m) => m.event === 'EXCEPTION' && m.detail?.reason === 'NODB_LOCKED' && m.detail.willRetry === true,
        ),
      );
      expect(await runShape(dir)).toBe('legacy');
      await fx.redis.del(`nodb-lock:${id}:ron.nodb`);
      const result = await finished(j.jobId);
      expect(result.state).toBe('completed');
      expect(result.job.attemptsMade).toBeGreaterThanOrEqual(2);
      expect(await runShape(dir)).toBe('migrated');
    } finally {
      await rec.close();
      await fx.redis.del(`nodb-lock:${id}:ron.nodb`);
    }
  });
});
