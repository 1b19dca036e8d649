// Publishes status messages on the run's channel and remembers the last one per run (so a dashboard that
// starts later still shows each run's last status). Publishing never throws into a job: a lost status line
// must not fail a migration; failures are counted and reported by `errors`.
import { redact } from '@tidemark/core';
import type { Redis } from 'ioredis';
import type { FleetKeys } from '../keys.js';
import { channelOf, channelKindOf, type JobKind, type StatusEventName, type StatusMessage } from './channels.js';

export interface StatusPublisher {
  publish(message: Omit<StatusMessage, 'channel' | 'at'> & { at?: string }): Promise<void>;
  /** How many messages could not be published. */
  readonly errors: number;
}

export function statusPublisher(redis: Redis, keys: FleetKeys): StatusPublisher {
  let errors = 0;
  return {
    get errors() {
      return errors;
    },
    async publish(input) {
      const message: StatusMessage = {
        ...input,
        channel: channelOf(input.runId, channelKindOf(input.job ?? 'migration')),
        at: input.at ?? new Date().toISOString(),
        ...(input.message === undefined ? {} : { message: redact(input.message) }),
      };
      const text = JSON.stringify(message);
      try {
        await redis.multi().publish(message.channel, text).hset(keys.last, message.runId, text).exec();
      } catch {
        errors++;
      }
    },
  };
}

/** A publisher that only collects (tests, `--no-redis` dry runs). */
export function memoryPublisher(): StatusPublisher & { messages: StatusMessage[] } {
  const messages: StatusMessage[] = [];
  return {
    messages,
    errors: 0,
    async publish(input) {
      messages.push({
        ...input,
        channel: channelOf(input.runId, channelKindOf(input.job ?? 'migration')),
        at: input.at ?? new Date().toISOString(),
      });
    },
  };
}

export type { JobKind, StatusEventName };
