// A fleet worker in its own process (for kill -9, SIGTERM and load tests). Configured by environment:
// FLEET_REDIS, FLEET_PREFIX, FLEET_ROOT, FLEET_CONCURRENCY, FLEET_LOCK_MS, FLEET_FAIL_MARKER,
// FLEET_FAMILY_POLL_MS, TIDEMARK_FLEET_TEST_STEP_MS.
import { createError } from '@tidemark/core';
import { startFleetWorker } from '../jobs/worker.js';
import { fleetTestPlugin } from './fleet-plugin.js';

const env = process.env;
// The spawning test passes its Redis (redisTestUrl(), i.e. TIDEMARK_TEST_REDIS): no default of its own here.
if (!env.FLEET_REDIS) throw createError('fleet', 'worker-child: FLEET_REDIS is not set');
const lockMs = Number(env.FLEET_LOCK_MS ?? 30_000);
const worker = await startFleetWorker({
  redis: env.FLEET_REDIS,
  prefix: env.FLEET_PREFIX!,
  root: env.FLEET_ROOT!,
  plugin: fleetTestPlugin(env.FLEET_FAIL_MARKER ? { failRunsContaining: env.FLEET_FAIL_MARKER } : {}),
  concurrency: Number(env.FLEET_CONCURRENCY ?? 1),
  lockDurationMs: lockMs,
  stalledIntervalMs: Math.max(500, Math.floor(lockMs / 2)),
  lock: { ttlMs: Math.max(1000, lockMs), waitMs: 30_000 },
  nodbLockTtlMs: Math.max(1000, lockMs),
  name: env.FLEET_NAME ?? `child-${process.pid}`,
  graceMs: Number(env.FLEET_GRACE_MS ?? 60_000),
  familyPollMs: Number(env.FLEET_FAMILY_POLL_MS ?? 1000),
  log: (line) => process.stdout.write(`${line}\n`),
});
worker.worker.on('active', (job) => process.stdout.write(`ACTIVE ${job.data.runId}\n`));
await worker.ready();
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  process.stdout.write('SIGTERM\n');
  void worker.close().then(() => {
    process.stdout.write('STOPPED\n');
    process.exit(0);
  });
});
