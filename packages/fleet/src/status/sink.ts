// The event sink that turns core's TidemarkEvent stream into the seed's status messages on
// `<runid>:migration`: each step of the execution contract becomes one named event. The runner calls sinks
// synchronously; messages are queued in order and `flush()` waits for all of them (a job flushes before it
// reports COMPLETE/EXCEPTION, so subscribers see steps before the end).
import { describeError, redact, type TidemarkEvent } from '@tidemark/core';
import type { JobKind, StatusEventName, StatusMessage } from './channels.js';
import type { StatusPublisher } from './publisher.js';

export interface StatusSinkOptions {
  runId: string;
  job: JobKind;
  jobId?: string;
  /** Minimum time between two STEP_PROGRESS messages of one step. Default 250 ms. */
  progressEveryMs?: number;
}

export interface StatusSink {
  /** Pass as a runner's `onEvent`. */
  onEvent(event: TidemarkEvent): void;
  /** Publishes an event of the job itself (ENQUEUED, STARTED, COMPLETE, ...). */
  emit(event: StatusEventName, fields?: Partial<Omit<StatusMessage, 'event' | 'runId' | 'channel'>>): void;
  /** Resolves when every queued message was handed to Redis. */
  flush(): Promise<void>;
  /** Events seen so far (the job's own record of what happened). */
  readonly seen: readonly StatusEventName[];
}

/** Maps one core event to a status message (or nothing). Exported for tests and other relays. */
export function statusOf(event: TidemarkEvent): { event: StatusEventName; fields: Partial<StatusMessage> } | null {
  switch (event.type) {
    case 'trait:detected':
      return {
        event: 'TRAIT_DETECTED',
        fields: { message: `${event.trait}: ${event.evidence.summary}`, detail: { trait: event.trait } },
      };
    case 'step:started':
      return {
        event: 'STEP_STARTED',
        fields: {
          migration: event.migration,
          index: event.index + 1,
          total: event.total,
          message: `${event.direction} ${event.migration} ${event.title}`,
        },
      };
    case 'step:progress':
      return {
        event: 'STEP_PROGRESS',
        fields: {
          migration: event.migration,
          done: event.done,
          ...(event.total === undefined ? {} : { total: event.total }),
          ...(event.note ? { message: event.note } : {}),
        },
      };
    case 'step:finished':
      return {
        event: 'STEP_COMPLETE',
        fields: { migration: event.migration, detail: { durationMs: event.durationMs, direction: event.direction } },
      };
    case 'step:baselined':
      return { event: 'STEP_BASELINED', fields: { migration: event.migration, message: event.note } };
    case 'step:failed':
      return { event: 'STEP_FAILED', fields: { migration: event.migration, message: event.error } };
    case 'validation':
      return event.ok
        ? { event: 'VALIDATION_OK', fields: { migration: event.migration } }
        : {
            event: 'VALIDATION_FAILED',
            fields: {
              migration: event.migration,
              message: event.issues.map((i) => `${i.where ? `${i.where}: ` : ''}${i.message}`).join('; '),
            },
          };
    case 'guard': {
      const status = event.detail?.status;
      const ref = typeof event.detail?.ref === 'string' ? event.detail.ref : undefined;
      if (event.action === 'nodb-locks-held')
        return { event: 'LOCKS_OK', fields: { message: `holding ${String(event.detail?.keys ?? 0)} .nodb lock(s)` } };
      if (status === 'ARCHIVE_COMPLETE' || status === 'SNAPSHOT_COMPLETE')
        return {
          event: 'ARCHIVE_COMPLETE',
          fields: { ...(ref ? { message: ref } : {}), detail: { ref, phase: event.detail?.phase ?? 'before' } },
        };
      if (status === 'RESTORE_COMPLETE')
        return {
          event: 'RESTORE_COMPLETE',
          fields: { ...(ref ? { message: `restored from ${ref}` } : {}), detail: { ref, action: event.action } },
        };
      if (status === 'RESTORE_FAILED')
        return { event: 'RESTORE_FAILED', fields: { message: String(event.detail?.error ?? 'restore failed') } };
      return null;
    }
    default:
      return null;
  }
}

export function statusSink(publisher: StatusPublisher, options: StatusSinkOptions): StatusSink {
  const every = options.progressEveryMs ?? 250;
  const lastProgress = new Map<string, number>();
  const seen: StatusEventName[] = [];
  let chain: Promise<void> = Promise.resolve();
  const send = (event: StatusEventName, fields: Partial<StatusMessage>) => {
    seen.push(event);
    const message = {
      ...fields,
      ...(fields.message === undefined ? {} : { message: redact(fields.message) }),
      event,
      runId: options.runId,
      job: options.job,
      ...(options.jobId ? { jobId: options.jobId } : {}),
    };
    chain = chain.then(() => publisher.publish(message)).catch(() => undefined);
  };
  return {
    seen,
    onEvent(event) {
      let mapped;
      try {
        mapped = statusOf(event);
      } catch (error) {
        mapped = { event: 'EXCEPTION' as const, fields: { message: `status mapping failed: ${describeError(error)}` } };
      }
      if (!mapped) return;
      if (mapped.event === 'STEP_PROGRESS') {
        const key = mapped.fields.migration ?? '';
        const now = Date.now();
        const done = mapped.fields.total !== undefined && mapped.fields.done === mapped.fields.total;
        if (!done && now - (lastProgress.get(key) ?? 0) < every) return;
        lastProgress.set(key, now);
      }
      send(mapped.event, mapped.fields);
    },
    emit(event, fields = {}) {
      send(event, fields);
    },
    flush: () => chain,
  };
}
