// Load and faults with real processes and a real Redis: many runs through 4 workers; a worker killed with
// SIGKILL mid-job (BullMQ's stalled-job recovery + the archive guard); SIGTERM mid-job (finish, then
// stop); the worker's Redis connections killed mid-run (CLIENT KILL) — a stand-in for a Redis restart,
// which a shared Redis cannot be put through safely.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../test/child.js';
import { buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { fleetTestPlugin, runShape } from '../test/fleet-plugin.js';
import { REDIS_URL, uniqueId, waitFor } from '../test/redis.js';
import { startFleetWorker } from './worker.js';
import { useFleetQueue } from '../test/fleet-queue.js';

const fx = useFleetQueue({ dirPrefix: 'tidemark-fleet-faults-', backoffMs: 300 });

const childEnv = (extra: Record<string, string> = {}) => ({
  FLEET_REDIS: REDIS_URL,
  FLEET_PREFIX: fx.names.prefix,
  FLEET_ROOT: fx.root,
  FLEET_LOCK_MS: '2000',
  ...extra,
});

async function settled(expected: number, timeoutMs = 90_000) {
  return waitFor(
    `${expected} jobs to settle`,
    async () => {
      const c = await fx.fq.queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed');
      return c.completed! + c.failed! === expected ? c : null;
    },
    timeoutMs,
    200,
  );
}

describe('fleet load and faults', () => {
  it('100 runs through 4 workers: every run ends migrated or reported (READONLY, failed step), none half-done', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `${uniqueId('ld')}${String(i).padStart(3, '0')}`);
    const readonly = new Set(ids.filter((_, i) => i % 25 === 3));
    const failing = new Set(ids.filter((_, i) => i % 25 === 7));
    // the test plugin fails step 2 of runs whose folder contains the marker
    const marker = 'FAILME';
    for (const id of ids)
      await buildLegacyRun(failing.has(id) ? join(fx.root, marker) : fx.root, {
        runId: id,
        extras: [],
        readonly: readonly.has(id),
      });
    const dirOf = (id: string) =>
      failing.has(id) ? join(fx.root, marker, id.slice(0, 2), id) : join(fx.root, id.slice(0, 2), id);
    for (let i = 0; i < 4; i++) {
      const w = await startFleetWorker({
        ...fx.names,
        redis: REDIS_URL,
        root: fx.root,
        plugin: fleetTestPlugin({ failRunsContaining: marker }),
        concurrency: 1,
        name: `w${i}`,
        lock: { ttlMs: 5000, waitMs: 20_000 },
        nodbLockTtlMs: 5000,
      });
      fx.workers.push(w);
    }
    const t0 = performance.now();
    const results = await fx.fq.enqueue(
      'migration',
      ids.map((runId) => ({ runId, dir: dirOf(runId) })),
    );
    expect(results.every((r) => !r.collapsed)).toBe(true);
    const counts = await settled(100);
    const seconds = (performance.now() - t0) / 1000;
    expect(counts).toMatchObject({
      completed: 100 - readonly.size - failing.size,
      failed: readonly.size + failing.size,
    });
    const shapes: Record<string, number> = {};
    for (const id of ids) {
      const shape = await runShape(dirOf(id));
      shapes[shape] = (shapes[shape] ?? 0) + 1;
      expect(shape, id).toBe(readonly.has(id) || failing.has(id) ? 'legacy' : 'migrated');
      const row = await fx.fq.index.get(id);
      expect(row!.lastStatus, id).toBe(
        readonly.has(id) ? 'failed:READONLY' : failing.has(id) ? 'failed:STEP_FAILED' : 'migrated',
      );
    }
    const by = new Set<string>();
    for (const job of await fx.fq.queue.getJobs(['completed'], 0, 200)) by.add(String(job.processedBy ?? ''));
    console.log(
      `[fleet] 100 runs, 4 in-process workers: ${seconds.toFixed(1)} s (${(100 / seconds).toFixed(1)} runs/s), shapes ${JSON.stringify(shapes)}, processed by ${by.size} workers`,
    );
    expect(shapes.half).toBeUndefined();
  });

  it('a worker killed with SIGKILL mid-step: the job stalls, another worker takes it, the archive guard undoes the half-run, the run ends migrated', async () => {
    const id = uniqueId('kill');
    const dir = await buildLegacyRun(fx.root, { runId: id, extras: [] });
    const doomed = spawnWorker(childEnv({ TIDEMARK_FLEET_TEST_STEP_MS: '20000', FLEET_NAME: 'doomed' }));
    fx.children.push(doomed);
    await doomed.waitFor('READY');
    await fx.fq.enqueue('migration', [{ runId: id }]);
    await doomed.waitFor(`ACTIVE ${id}`);
    // Wait until the step has written its first file: the run is now half-migrated on disk.
    await waitFor('the half-written step', async () => (await runShape(dir)) === 'half', 20_000);
    doomed.proc.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const rescuer = spawnWorker(childEnv({ TIDEMARK_FLEET_TEST_STEP_MS: '0', FLEET_NAME: 'rescuer' }));
    fx.children.push(rescuer);
    await rescuer.waitFor(new RegExp(`run=${id} job=migration status=migrated`), 60_000);
    expect(await runShape(dir)).toBe('migrated');
    const [job] = await fx.fq.queue.getJobs(['completed']);
    expect(job!.processedBy).toBe('rescuer');
    rescuer.proc.kill('SIGTERM');
    await rescuer.exited;
  });

  it('SIGTERM mid-step: the worker finishes the running job, takes no new one, and exits 0', async () => {
    const [a, b] = [uniqueId('term'), uniqueId('term')];
    const dirA = await buildLegacyRun(fx.root, { runId: a, extras: [] });
    const dirB = await buildLegacyRun(fx.root, { runId: b, extras: [] });
    const w = spawnWorker(childEnv({ TIDEMARK_FLEET_TEST_STEP_MS: '1500', FLEET_LOCK_MS: '30000' }));
    fx.children.push(w);
    await w.waitFor('READY');
    await fx.fq.enqueue('migration', [{ runId: a }]);
    await w.waitFor(`ACTIVE ${a}`);
    await fx.fq.enqueue('migration', [{ runId: b }]); // waiting behind a (concurrency 1)
    await waitFor('the half-written step', async () => (await runShape(dirA)) === 'half', 20_000);
    w.proc.kill('SIGTERM');
    await w.waitFor('SIGTERM');
    const exit = await w.exited;
    expect(exit.code).toBe(0);
    expect(w.output()).toMatch(new RegExp(`run=${a} job=migration status=migrated`));
    expect(w.output()).not.toContain(`ACTIVE ${b}`);
    expect(await runShape(dirA)).toBe('migrated');
    expect(await runShape(dirB)).toBe('legacy');
    expect(await fx.fq.queue.getJobCountByTypes('waiting')).toBe(1); // b waits for the next worker
  });

  it('SIGTERM when the running step outlasts --grace-ms: the step is aborted, the archive guard restores the run, the job is retried elsewhere', async () => {
    const id = uniqueId('grace');
    const dir = await buildLegacyRun(fx.root, { runId: id, extras: [] });
    const w = spawnWorker(
      childEnv({ TIDEMARK_FLEET_TEST_STEP_MS: '20000', FLEET_LOCK_MS: '30000', FLEET_GRACE_MS: '300' }),
    );
    fx.children.push(w);
    await w.waitFor('READY');
    const [job] = await fx.fq.enqueue('migration', [{ runId: id }]);
    await waitFor('the half-written step', async () => (await runShape(dir)) === 'half', 20_000);
    w.proc.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
    expect(w.output()).toMatch(
      new RegExp(`run=${id} job=migration status=failed attempt=1 duration_ms=\\d+ worker=\\S+ reason=\\w+ retry=true`),
    );
    expect(await runShape(dir)).toBe('legacy'); // restored, not half
    const state = await (await fx.fq.queue.getJob(job!.jobId))!.getState();
    expect(['delayed', 'waiting']).toContain(state);
    const next = await startFleetWorker({
      ...fx.names,
      redis: REDIS_URL,
      root: fx.root,
      plugin: fleetTestPlugin(),
      lock: { ttlMs: 3000, waitMs: 20_000 },
      nodbLockTtlMs: 3000,
    });
    fx.workers.push(next);
    await waitFor(
      'the retry to migrate the run',
      async () => (await (await fx.fq.queue.getJob(job!.jobId))!.getState()) === 'completed',
      30_000,
    );
    expect(await runShape(dir)).toBe('migrated');
  });

  it("the worker's Redis connections killed mid-run (CLIENT KILL): it reconnects and no job is lost", async () => {
    const ids = Array.from({ length: 12 }, () => uniqueId('ck'));
    for (const id of ids) await buildLegacyRun(fx.root, { runId: id, extras: [] });
    const name = `fleetck${Math.random().toString(36).slice(2, 8)}`;
    const w = await startFleetWorker({
      ...fx.names,
      redis: REDIS_URL,
      root: fx.root,
      plugin: fleetTestPlugin({ stepMs: 150 }),
      concurrency: 2,
      name,
      lockDurationMs: 3000,
      stalledIntervalMs: 1500,
      lock: { ttlMs: 3000, waitMs: 20_000 },
      nodbLockTtlMs: 3000,
    });
    fx.workers.push(w);
    await w.ready();
    await fx.fq.enqueue(
      'migration',
      ids.map((runId) => ({ runId })),
    );
    await waitFor('some jobs done', async () => (await fx.fq.queue.getJobCountByTypes('completed')) >= 2, 30_000);
    // The worker names its connection `tidemark-fleet-worker:<name>`; BullMQ names its own (the blocking
    // one) after the prefix. Kill them all: the worker's, BullMQ's and this test's queue connections.
    const list = String(await fx.redis.call('CLIENT', 'LIST'));
    const mine = list.split('\n').filter((l) => l.includes(fx.names.prefix) || l.includes(name));
    let killed = 0;
    let killedWorker = 0;
    for (const line of mine) {
      const id = /id=(\d+)/.exec(line)?.[1];
      if (!id) continue;
      const n = Number(await fx.redis.call('CLIENT', 'KILL', 'ID', id));
      killed += n;
      if (line.includes(`tidemark-fleet-worker:${name}`)) killedWorker += n;
    }
    expect(killedWorker).toBeGreaterThanOrEqual(1);
    const counts = await settled(12, 90_000);
    expect(counts).toMatchObject({ completed: 12, failed: 0 });
    for (const id of ids) expect(await runShape(join(fx.root, id.slice(0, 2), id)), id).toBe('migrated');
    console.log(`[fleet] CLIENT KILL: ${killed} connection(s) killed mid-run; 12/12 runs migrated`);
    expect(killed).toBeGreaterThanOrEqual(2);
  });
});
