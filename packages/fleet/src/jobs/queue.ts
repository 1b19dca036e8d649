// The fleet queue (BullMQ on Redis) and enqueueing: one job per run, deduplicated on the run id, with
// retries and exponential backoff; ENQUEUED is published on the run's channel for every new job.
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { fleetKeys, type FleetKeys, type FleetNames } from '../keys.js';
import { runIndex, type RunIndex } from '../runs/run-index.js';
import type { JobKind } from '../status/channels.js';
import { statusPublisher, type StatusPublisher } from '../status/publisher.js';
import type { FleetJobData } from './job-data.js';
import { assertFleetRunId, assertRunId } from '../runs/run-ids.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS } from './retry-policy.js';

export interface FleetQueueOptions extends FleetNames {
  /** Redis URL (default redis://127.0.0.1:6379) or an ioredis client (kept open; yours). */
  redis?: string | Redis;
  attempts?: number;
  backoffMs?: number;
  /** How long a queued run-sync's auth token is kept for its attempts. Default 24 h. */
  secretTtlSec?: number;
}

export const DEFAULT_SECRET_TTL_SEC = 24 * 3600;

export interface EnqueueItem {
  runId: string;
  dir?: string;
  archive?: string;
  sync?: FleetJobData['sync'];
}

export interface EnqueueResult {
  runId: string;
  jobId: string;
  kind: JobKind;
  /** True when the run already had a job waiting or running: nothing new was added. */
  collapsed: boolean;
}

export interface FleetQueue {
  readonly queue: Queue<FleetJobData>;
  readonly keys: FleetKeys;
  readonly redis: Redis;
  readonly index: RunIndex;
  readonly publisher: StatusPublisher;
  enqueue(kind: JobKind, items: readonly EnqueueItem[], options?: { by?: string }): Promise<EnqueueResult[]>;
  close(): Promise<void>;
}

/** A client for BullMQ (no per-request retry limit: commands wait through a reconnect instead of failing). */
export function redisClient(
  input: string | Redis | undefined,
  connectionName?: string,
): { client: Redis; owned: boolean } {
  if (input && typeof input !== 'string') return { client: input, owned: false };
  const client = new Redis(input ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
    lazyConnect: false,
    ...(connectionName ? { connectionName } : {}),
  });
  client.on('error', () => undefined); // reconnects are automatic; commands wait for them
  return { client, owned: true };
}

export function openFleetQueue(options: FleetQueueOptions = {}): FleetQueue {
  const keys = fleetKeys(options);
  const { client, owned } = redisClient(options.redis);
  const queue = new Queue<FleetJobData>(keys.queue, { connection: client, prefix: keys.prefix });
  const index = runIndex(client, keys);
  const publisher = statusPublisher(client, keys);
  const jobOptions = (runId: string): JobsOptions => ({
    jobId: randomUUID(),
    deduplication: { id: runId },
    attempts: options.attempts ?? DEFAULT_ATTEMPTS,
    backoff: { type: 'exponential', delay: options.backoffMs ?? DEFAULT_BACKOFF_MS },
    removeOnComplete: { age: 7 * 24 * 3600, count: 20_000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 20_000 },
  });
  return {
    queue,
    keys,
    redis: client,
    index,
    publisher,
    async enqueue(kind, items, { by } = {}) {
      // Every id is checked before anything is added: a bad one leaves the queue as it was. A child run
      // (`<runid>/_pups/<path>`) takes any job but run-sync, which imports top-level runs.
      for (const item of items) (kind === 'run-sync' ? assertRunId : assertFleetRunId)(item.runId);
      const out: EnqueueResult[] = [];
      for (const item of items) {
        const opts = jobOptions(item.runId);
        const data: FleetJobData = {
          runId: item.runId,
          enqueuedAt: new Date().toISOString(),
          ...(item.dir ? { dir: item.dir } : {}),
          ...(by ? { by } : {}),
          ...(item.archive ? { archive: item.archive } : {}),
        };
        // The token is a secret: BullMQ keeps job data for days (completed and failed lists), so it goes to a
        // key of its own that expires (and is deleted when the job ends); the job carries only a reference.
        const { authToken, ...sync } = item.sync ?? {};
        if (item.sync)
          data.sync = {
            ...(sync as FleetJobData['sync'] & object),
            ...(authToken ? { authTokenRef: String(opts.jobId) } : {}),
          };
        // ENQUEUED goes out before the add, so no worker's STARTED can precede it; a run that already has
        // a job is reported as collapsed without a message (two racing enqueuers may both announce; the
        // add below still keeps one job).
        const existing = await queue.getDeduplicationJobId(item.runId);
        if (existing) {
          const state = await (await queue.getJob(existing))?.getState();
          if (state && state !== 'completed' && state !== 'failed' && state !== 'unknown') {
            out.push({ runId: item.runId, jobId: existing, kind, collapsed: true });
            continue;
          }
        }
        await index.patch(item.runId, {
          lastStatus: `queued:${kind}`,
          lastJob: String(opts.jobId),
          ...(item.dir ? { dir: item.dir } : {}),
        });
        await publisher.publish({
          runId: item.runId,
          job: kind,
          jobId: String(opts.jobId),
          event: 'ENQUEUED',
          message: `${kind} enqueued${by ? ` by ${by}` : ''}`,
        });
        if (authToken)
          await client.set(
            `${keys.secret}${String(opts.jobId)}`,
            authToken,
            'EX',
            options.secretTtlSec ?? DEFAULT_SECRET_TTL_SEC,
          );
        const job = await queue.add(kind, data, opts);
        out.push({ runId: item.runId, jobId: String(job.id), kind, collapsed: job.id !== opts.jobId });
      }
      return out;
    },
    async close() {
      await queue.close();
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
