// The payload of every fleet job. The job's name is its kind; BullMQ deduplicates on the run id, so a run
// has at most one job waiting or running, whatever its kind (a restore never races a migration).
import type { JobKind } from '../status/channels.js';
import type { RunSyncRequest } from '../run-sync/request.js';

export interface FleetJobData {
  runId: string;
  /** The run folder; resolved from the worker's root when absent. */
  dir?: string;
  enqueuedAt: string;
  /** Who asked (`dashboard:admin`, `cli:user@host`), for the audit trail in the job. */
  by?: string;
  /** restore: archive name in `archives/` (default: the newest). */
  archive?: string;
  /** run-sync: what to import (the auth token stays in the job data only, never in events or logs). */
  sync?: RunSyncRequest;
}

export interface FleetJobResult {
  runId: string;
  kind: JobKind;
  status: string;
  detail?: Record<string, unknown>;
}

export const JOB_KINDS: readonly JobKind[] = ['migration', 'validate', 'restore', 'run-sync'];

export function isJobKind(value: string): value is JobKind {
  return (JOB_KINDS as readonly string[]).includes(value);
}
