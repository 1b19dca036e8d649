// Status channels as the seed names them: `<runid>:migration`, `<runid>:run_sync` and the archive tool's
// `<runid>:archive`. One message is one JSON object whose `event` is one of the seed's event names, so a
// websocket/SSE relay (or `redis-cli SUBSCRIBE`) can show it without knowing Tidemark.
import { createError } from '@tidemark/core';
export type ChannelKind = 'migration' | 'run_sync' | 'archive';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['migration', 'run_sync', 'archive'];

/** The seed's run-sync events. */
export const RUN_SYNC_EVENTS = [
  'ENQUEUED',
  'STARTED',
  'DOWNLOADING',
  'CHECKSUM_OK',
  'PROVENANCE_WRITTEN',
  'REGISTERED',
  'COMPLETE',
  'EXCEPTION',
] as const;

/**
 * Migration events: the seed's execution contract, step by step (locks checked, archive taken, each trait
 * migration, validation, version stamp, restore on failure), framed by ENQUEUED / COMPLETE / EXCEPTION.
 */
export const MIGRATION_EVENTS = [
  'ENQUEUED',
  'STARTED',
  'TRAIT_DETECTED',
  'LOCKS_OK',
  'ARCHIVE_COMPLETE',
  'STEP_STARTED',
  'STEP_PROGRESS',
  'STEP_COMPLETE',
  'STEP_BASELINED',
  'STEP_FAILED',
  'VALIDATION_OK',
  'VALIDATION_FAILED',
  'VERSION_STAMPED',
  'RESTORE_COMPLETE',
  'RESTORE_FAILED',
  'COMPLETE',
  'EXCEPTION',
] as const;

/** The archive tool's events (restore jobs publish here, as the real restore route does). */
export const ARCHIVE_EVENTS = [
  'ENQUEUED',
  'STARTED',
  'RESTORE_COMPLETE',
  'RESTORE_FAILED',
  'COMPLETE',
  'EXCEPTION',
] as const;

export type StatusEventName =
  (typeof MIGRATION_EVENTS)[number] | (typeof RUN_SYNC_EVENTS)[number] | (typeof ARCHIVE_EVENTS)[number];

/** Which job a message belongs to (validate-only jobs report on the migration channel). */
export type JobKind = 'migration' | 'validate' | 'restore' | 'run-sync';

export interface StatusMessage {
  runId: string;
  channel: string;
  event: StatusEventName;
  /** ISO-8601. */
  at: string;
  job?: JobKind;
  jobId?: string;
  /** One human line (redacted). */
  message?: string;
  migration?: string;
  /** Step index (1-based) and count, or bytes/files done and total for progress. */
  index?: number;
  total?: number;
  done?: number;
  detail?: Record<string, unknown>;
}

export function channelOf(runId: string, kind: ChannelKind): string {
  if (runId === '' || /[\s*?[\]]/.test(runId))
    throw createError('fleet', `run id "${runId}" cannot name a channel (empty, whitespace or glob characters)`);
  return `${runId}:${kind}`;
}

/** The channel kind of a job: validate-only runs report on the migration channel like the real dashboard. */
export function channelKindOf(job: JobKind): ChannelKind {
  if (job === 'run-sync') return 'run_sync';
  if (job === 'restore') return 'archive';
  return 'migration';
}

/** Splits `<runid>:<kind>`; null for any other channel. */
export function parseChannel(channel: string): { runId: string; kind: ChannelKind } | null {
  const at = channel.lastIndexOf(':');
  if (at <= 0) return null;
  const kind = channel.slice(at + 1) as ChannelKind;
  return CHANNEL_KINDS.includes(kind) ? { runId: channel.slice(0, at), kind } : null;
}

export function parseStatusMessage(channel: string, text: string): StatusMessage | null {
  try {
    const value = JSON.parse(text) as StatusMessage;
    if (typeof value.event !== 'string' || typeof value.runId !== 'string') return null;
    return { ...value, channel };
  } catch {
    return null;
  }
}

/** Terminal events: a job reached one of them exactly once per attempt. */
export function isTerminal(event: StatusEventName): boolean {
  return event === 'COMPLETE' || event === 'EXCEPTION';
}
