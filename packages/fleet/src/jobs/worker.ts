// `tidemark fleet worker`: a BullMQ worker running migration, validate, restore and run-sync jobs with a
// per-worker concurrency. Many workers on many machines share one queue; a run never has two jobs at once
// (deduplicated on the run id, plus the run's own lease), and a family (a run and its `_pups` children) is
// worked on by one job at a time, parent first (family-claim.ts): a job whose family is busy is put back,
// delayed, without using an attempt. Shutdown is graceful: `close()` stops taking jobs and lets running
// ones finish; only after `graceMs` are they aborted, and an aborted migration is
// restored from its archive by the guard and retried by another worker. A worker killed outright loses
// its BullMQ lock; the job is stalled, picked up again, and the archive guard undoes the half-run first.
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { describeError, type LeaseOptions, type Plugin, createError } from '@tidemark/core';
import {
  openRegistry,
  redisCommander,
  runDirsPlugin,
  type RunDirTarget,
  type RunRegistry,
} from '@tidemark/plugin-run-dirs';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { fleetKeys, type FleetNames } from '../keys.js';
import { fleetRunIdOf, isChildRunId } from '../runs/run-ids.js';
import { runIndex } from '../runs/run-index.js';
import { channelKindOf, type JobKind } from '../status/channels.js';
import { statusPublisher } from '../status/publisher.js';
import { statusSink } from '../status/sink.js';
import { FleetJobError, type JobContext, type JobEnvironment } from './context.js';
import { familyClaims } from './family-claim.js';
import { isJobKind, type FleetJobData, type FleetJobResult } from './job-data.js';
import { runMigrationJob } from './migration-job.js';
import { redisClient } from './queue.js';
import { resolveFleetRunDir } from './resolve-run.js';
import { runRestoreJob } from './restore-job.js';
import { runSyncJob } from './run-sync-job.js';
import { runValidateJob } from './validate-job.js';

export interface FleetWorkerOptions extends FleetNames {
  /** Redis URL or ioredis client for the queue, the channels and the run index. */
  redis?: string | Redis;
  /** The web app's Redis for `.nodb` locks, if it is another one. Default: the same. */
  nodbRedis?: string;
  /** Root of runs: where run ids resolve and run-sync puts runs. */
  root?: string;
  plugin?: Plugin<RunDirTarget>;
  /** A registry (or a PostgreSQL URL) to upsert run rows into. */
  registry?: RunRegistry | string;
  concurrency?: number;
  snapshot?: 'zip' | 'hardlink';
  /** The run's lease (default wait 60 s, ttl 30 s). */
  lock?: LeaseOptions;
  /** TTL of the `.nodb` locks a migration holds; a killed worker's locks free themselves after it. Default 60 s. */
  nodbLockTtlMs?: number;
  /** BullMQ job lock: a killed worker's job is retried after about this long. Default 30 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long `close()` lets running jobs finish before aborting them. Default 5 min. */
  graceMs?: number;
  /** A job whose family is busy (another member's job unfinished) looks again after this long. Default 1 s. */
  familyPollMs?: number;
  sync?: JobEnvironment['sync'];
  /** One line per finished job (the batch tools' `key=value` style). */
  log?: (line: string) => void;
  name?: string;
}

export interface FleetWorker {
  readonly worker: Worker<FleetJobData, FleetJobResult>;
  /** Resolves once the worker's connection is ready and it is taking jobs. */
  ready(): Promise<void>;
  /** Graceful: stop taking jobs, let running ones finish (abort after graceMs), close connections. */
  close(): Promise<void>;
}

export async function startFleetWorker(options: FleetWorkerOptions = {}): Promise<FleetWorker> {
  const keys = fleetKeys(options);
  const who = options.name ?? `${hostname()}:${process.pid}`;
  const { client, owned } = redisClient(options.redis, `tidemark-fleet-worker:${who}`);
  const nodb = await redisCommander(options.nodbRedis ?? client);
  let registry: RunRegistry | undefined;
  let ownsRegistry = false;
  if (typeof options.registry === 'string') {
    registry = await openRegistry({ knex: options.registry });
    await registry.migrate();
    ownsRegistry = true;
  } else registry = options.registry;
  const env: JobEnvironment = {
    ...(options.root ? { root: options.root } : {}),
    plugin: options.plugin ?? runDirsPlugin(),
    redis: nodb,
    ...(registry ? { registry } : {}),
    index: runIndex(client, keys),
    publisher: statusPublisher(client, keys),
    snapshot: options.snapshot ?? 'zip',
    lock: options.lock ?? {},
    nodbLockTtlMs: options.nodbLockTtlMs ?? 60_000,
    sync: options.sync ?? {},
    secrets: {
      get: (ref) => client.get(`${keys.secret}${ref}`),
      drop: async (ref) => void (await client.del(`${keys.secret}${ref}`)),
    },
  };
  const shutdown = new AbortController();
  const log = options.log ?? (() => undefined);
  // Only reads job states and deduplication ids for the family claims; the worker adds no jobs.
  const lookups = new Queue(keys.queue, { connection: client, prefix: keys.prefix });
  const claims = familyClaims(client, lookups, keys);
  const familyPollMs = options.familyPollMs ?? 1000;

  const processJob = async (job: Job<FleetJobData, FleetJobResult>, token?: string): Promise<FleetJobResult> => {
    const kind = job.name;
    const t0 = performance.now();
    if (!isJobKind(kind)) throw new UnrecoverableError(createError('fleet', `unknown job kind "${kind}"`).message);
    const runId = job.data.runId;
    const jobId = String(job.id);
    const claim = await claims.claim(runId, jobId);
    if (!claim.ok) {
      // Back to the delayed set (no attempt used, nothing published): the run is still "queued".
      if (!token) throw createError('fleet', `job ${jobId} has no lock token; cannot put it back`);
      await job.moveToDelayed(Date.now() + familyPollMs, token);
      throw new DelayedError(`waiting for ${claim.waitingFor} (same family)`);
    }
    const sink = statusSink(env.publisher, { runId, job: kind, jobId });
    const ctx: JobContext = {
      env,
      data: job.data,
      jobId,
      attempt: job.attemptsMade + 1,
      signal: shutdown.signal,
      sink,
    };
    const done = (status: string, extra = '') =>
      log(
        `time=${new Date().toISOString()} run=${runId} job=${kind} status=${status} attempt=${ctx.attempt} duration_ms=${Math.round(performance.now() - t0)} worker=${who}${extra}`,
      );
    sink.emit('STARTED', {
      message: `${kind} started by ${who} (attempt ${ctx.attempt})`,
      detail: { worker: who, attempt: ctx.attempt },
    });
    try {
      const result = await run(kind, ctx);
      await env.index.patch(runId, { lastEvent: 'COMPLETE', lastJob: ctx.jobId });
      sink.emit('COMPLETE', {
        message: `${kind} ${result.status}`,
        detail: { status: result.status, ...result.detail },
      });
      await sink.flush();
      await claims.release(runId, jobId).catch(() => undefined); // a claim left behind is stale once the job completes
      if (job.data.sync?.authTokenRef) await env.secrets.drop(job.data.sync.authTokenRef).catch(() => undefined);
      done(result.status);
      return result;
    } catch (error) {
      const reason = error instanceof FleetJobError ? error.reason : 'ERROR';
      const permanent = error instanceof FleetJobError ? error.permanent : false;
      const attempts = job.opts.attempts ?? 1;
      const willRetry = !permanent && ctx.attempt < attempts;
      const message = describeError(error);
      await env.index
        .patch(runId, {
          lastStatus: `failed:${reason}`,
          lastError: message,
          lastEvent: 'EXCEPTION',
          lastJob: ctx.jobId,
        })
        .catch(() => undefined);
      sink.emit('EXCEPTION', { message, detail: { reason, permanent, willRetry, attempt: ctx.attempt, attempts } });
      await sink.flush();
      // A job that will be retried keeps its family: no other member runs between its attempts.
      if (!willRetry) await claims.release(runId, jobId).catch(() => undefined);
      if (!willRetry && job.data.sync?.authTokenRef)
        await env.secrets.drop(job.data.sync.authTokenRef).catch(() => undefined);
      done('failed', ` reason=${reason} retry=${willRetry}`);
      if (permanent) throw new UnrecoverableError(message);
      throw error instanceof Error ? error : new Error(message);
    }
  };

  const run = async (kind: JobKind, ctx: JobContext): Promise<FleetJobResult> => {
    if (kind === 'run-sync') return runSyncJob(ctx);
    const runId = ctx.data.runId;
    const dir = ctx.data.dir ?? (env.root ? await resolveFleetRunDir(env.root, runId) : null);
    if (!dir)
      throw new FleetJobError(
        'NOT_FOUND',
        `run ${runId} not found${env.root ? ` under ${env.root}` : ' (no dir in the job and no worker --root)'}`,
        true,
      );
    // The family claimed is named by the id; a child's id must name its folder, or the claim would guard
    // another family than the one the plugin's locks and archives span.
    const named = await fleetRunIdOf(dir).catch(() => null);
    if ((isChildRunId(runId) || (named !== null && isChildRunId(named))) && named !== runId) {
      throw new FleetJobError(
        'BAD_REQUEST',
        `run ${runId} does not name its folder ${dir} (${named ? `that is the run ${named}` : 'not a run the fleet can name'}); a child run is named <runid>/_pups/<path>`,
        true,
      );
    }
    // The plugin names archives `<folder>.pre_migration.<ts>.zip`: a child's archives carry its folder name.
    const target = { dir, runId: isChildRunId(runId) ? basename(dir) : runId };
    if (kind === 'migration') return runMigrationJob(ctx, target);
    if (kind === 'validate') return runValidateJob(ctx, target);
    return runRestoreJob(ctx, target);
  };

  const worker = new Worker<FleetJobData, FleetJobResult>(keys.queue, processJob, {
    connection: client,
    prefix: keys.prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? Math.min(30_000, options.lockDurationMs ?? 30_000),
    maxStalledCount: 2,
    name: who,
  });
  worker.on('error', (error) =>
    log(`time=${new Date().toISOString()} worker=${who} status=error error=${JSON.stringify(describeError(error))}`),
  );

  let closing: Promise<void> | undefined;
  return {
    worker,
    async ready() {
      await worker.waitUntilReady();
    },
    close() {
      closing ??= (async () => {
        const timer = setTimeout(() => shutdown.abort(new Error('worker shutting down')), options.graceMs ?? 300_000);
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
          await lookups.close();
          if (ownsRegistry) await registry?.close();
          await nodb.close?.();
          if (owned) await client.quit().catch(() => client.disconnect());
        }
      })();
      return closing;
    },
  };
}

export { channelKindOf };
