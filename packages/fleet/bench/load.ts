// `pnpm bench` for @tidemark/fleet: N generated runs (default 1,000; FLEET_BENCH_RUNS) migrated
//   A) in one process by plugin-run-dirs' fleetUp (concurrency 4) — the no-queue baseline, and
//   B) through the BullMQ queue by 4 worker PROCESSES, one of which is killed with SIGKILL at 30 % and
//      replaced (its job is recovered by stalled-job detection and the archive guard).
// Both print runs/s; B must end with every run migrated or reported (READONLY / failed step), none half.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetUp } from '@tidemark/plugin-run-dirs';
import { Redis } from 'ioredis';
import { openFleetQueue } from '../src/jobs/queue.js';
import { spawnWorker, type ChildWorker } from '../src/test/child.js';
import { buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { fleetTestPlugin, runShape } from '../src/test/fleet-plugin.js';
import { deleteKeys, REDIS_URL, testNames } from '../src/test/redis.js';

const N = Number(process.env.FLEET_BENCH_RUNS ?? 1000);
const WORKERS = 4;
const MARKER = '-failme';
const tmp = await mkdtemp(join(tmpdir(), 'tidemark-fleet-bench-'));
const names = testNames();
const redis = new Redis(REDIS_URL);
const children: ChildWorker[] = [];

try {
  const seedRoot = join(tmp, 'seed');
  // Runs whose id carries the marker fail in their second step (restored by the archive guard).
  const ids = Array.from({ length: N }, (_, i) => `rlew-b${String(i).padStart(5, '0')}${i % 100 === 7 ? MARKER : ''}`);
  const readonly = new Set(ids.filter((_, i) => i % 50 === 3));
  const failing = new Set(ids.filter((id) => id.endsWith(MARKER)));
  for (const id of ids) await buildLegacyRun(seedRoot, { runId: id, extras: [], readonly: readonly.has(id) });
  const dirOf = (root: string, id: string) => join(root, id.slice(0, 2), id);

  // A) baseline: one process, no queue.
  const rootA = join(tmp, 'a');
  await cp(seedRoot, rootA, { recursive: true });
  let t0 = performance.now();
  const summary = await fleetUp(rootA, {
    plugin: fleetTestPlugin({ failRunsContaining: MARKER }),
    concurrency: WORKERS,
  });
  const secondsA = (performance.now() - t0) / 1000;
  console.log(
    `A) fleetUp in-process, concurrency ${WORKERS}: ${summary.total} runs in ${secondsA.toFixed(1)} s = ${(summary.total / secondsA).toFixed(1)} runs/s ${JSON.stringify(summary.counts)}`,
  );

  // B) the queue, 4 worker processes, one killed at 30 %.
  const rootB = join(tmp, 'b');
  await cp(seedRoot, rootB, { recursive: true });
  const env = {
    FLEET_REDIS: REDIS_URL,
    FLEET_PREFIX: names.prefix,
    FLEET_ROOT: rootB,
    FLEET_LOCK_MS: '3000',
    FLEET_FAIL_MARKER: MARKER,
  };
  for (let i = 0; i < WORKERS; i++) children.push(spawnWorker({ ...env, FLEET_NAME: `w${i}` }));
  for (const c of children) await c.waitFor('READY', 60_000);
  const fq = openFleetQueue({ ...names, redis: REDIS_URL, backoffMs: 500 });
  t0 = performance.now();
  await fq.enqueue(
    'migration',
    ids.map((runId) => ({ runId, dir: dirOf(rootB, runId) })),
  );
  let killed = false;
  let counts: Record<string, number> = {};
  for (;;) {
    counts = await fq.queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed');
    const done = counts.completed! + counts.failed!;
    if (!killed && done >= N * 0.3) {
      killed = true;
      children[0]!.proc.kill('SIGKILL');
      children.push(spawnWorker({ ...env, FLEET_NAME: 'w4-replacement' }));
      console.log(`   SIGKILL worker w0 at ${done}/${N}; replacement started`);
    }
    if (done === N) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const secondsB = (performance.now() - t0) / 1000;
  const shapes: Record<string, number> = {};
  for (const id of ids) {
    const s = await runShape(dirOf(rootB, id));
    shapes[s] = (shapes[s] ?? 0) + 1;
  }
  const expected = { migrated: N - readonly.size - failing.size, legacy: readonly.size + failing.size };
  console.log(
    `B) BullMQ, ${WORKERS} worker processes (+1 SIGKILLed and replaced): ${N} runs in ${secondsB.toFixed(1)} s = ${(N / secondsB).toFixed(1)} runs/s jobs ${JSON.stringify(counts)}`,
  );
  console.log(
    `   on disk: ${JSON.stringify(shapes)} (expected ${JSON.stringify(expected)}; READONLY ${readonly.size}, failing step ${failing.size}; half-done: ${shapes.half ?? 0})`,
  );
  console.log(`   queue/in-process time ratio: ${(secondsB / secondsA).toFixed(2)}x`);
  await fq.close();
  if (shapes.half || shapes.migrated !== expected.migrated) process.exitCode = 1;
} finally {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
  await Promise.all(children.map((c) => c.exited));
  await deleteKeys(redis, `${names.prefix}:*`);
  await redis.quit();
  await rm(tmp, { recursive: true, force: true });
}
