// Where the fleet keeps things in Redis. BullMQ's own keys live under `<prefix>:<queue>:*`; the fleet's
// run index and last-status hash sit beside them, so one prefix isolates a whole deployment (or a test).
import { createError } from '@tidemark/core';
export interface FleetNames {
  /** BullMQ key prefix. Default `tidemark`. */
  prefix?: string;
  /** Queue name. Default `fleet`. */
  queue?: string;
}

export interface FleetKeys {
  prefix: string;
  queue: string;
  /** Hash runId -> FleetRunState JSON (what the dashboard lists). */
  runs: string;
  /** Hash runId -> last StatusMessage JSON (any channel). */
  last: string;
  /** Prefix of the per-family claim keys (`<this><top-level run id>`: which job may work on the family). */
  family: string;
  /**
   * Prefix of a run-sync job's auth token (`<this><job id>`): kept out of the job's data, expires, deleted when the job
   * ends.
   */
  secret: string;
}

export const DEFAULT_PREFIX = 'tidemark';
export const DEFAULT_QUEUE = 'fleet';

export function fleetKeys(names: FleetNames = {}): FleetKeys {
  const prefix = names.prefix ?? DEFAULT_PREFIX;
  const queue = names.queue ?? DEFAULT_QUEUE;
  if (!/^[\w.-]+$/.test(prefix) || !/^[\w.-]+$/.test(queue))
    throw createError('fleet', `prefix "${prefix}" and queue "${queue}" may hold letters, digits, _ . - only`);
  return {
    prefix,
    queue,
    runs: `${prefix}:${queue}:fleet:runs`,
    last: `${prefix}:${queue}:fleet:last`,
    family: `${prefix}:${queue}:fleet:family:`,
    secret: `${prefix}:${queue}:fleet:secret:`,
  };
}
