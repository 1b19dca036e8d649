// What every job processor gets from the worker.
import type { LeaseOptions, Plugin } from '@tidemark/core';
import type { RedisCommander, RunDirTarget, RunRegistry } from '@tidemark/plugin-run-dirs';
import type { RunIndex } from '../runs/run-index.js';
import type { StatusPublisher } from '../status/publisher.js';
import type { StatusSink } from '../status/sink.js';
import type { RunSyncOptions } from '../run-sync/sync-run.js';
import type { FleetJobData } from './job-data.js';

export interface JobEnvironment {
  root?: string;
  plugin: Plugin<RunDirTarget>;
  /** The web app's Redis (for `.nodb` locks); the worker's own connection unless told otherwise. */
  redis: RedisCommander;
  registry?: RunRegistry;
  index: RunIndex;
  publisher: StatusPublisher;
  snapshot: 'zip' | 'hardlink';
  lock: LeaseOptions;
  nodbLockTtlMs: number;
  sync: Omit<RunSyncOptions, 'request' | 'root' | 'onStatus' | 'signal' | 'registry' | 'redis'>;
  /** Run-sync auth tokens the queue kept out of the job data (see `FleetKeys.secret`). */
  secrets: { get(ref: string): Promise<string | null>; drop(ref: string): Promise<void> };
}

export interface JobContext {
  env: JobEnvironment;
  data: FleetJobData;
  jobId: string;
  attempt: number;
  /** Aborted when the worker gives up waiting on shutdown (the archive guard then restores the run). */
  signal: AbortSignal;
  sink: StatusSink;
}

/** A job failure with a machine reason; `permanent` ones are not retried. */
export class FleetJobError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'FleetJobError';
  }
}
