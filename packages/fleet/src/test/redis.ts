// Every test gets its own key prefix on the shared Redis and deletes exactly its keys afterwards.
import { randomBytes } from 'node:crypto';
import { pgTestServerUrl, redisTestUrl } from '@tidemark/testing';
import { Redis } from 'ioredis';

// One variable per service for every package's tests: TIDEMARK_TEST_REDIS and TIDEMARK_TEST_PG.
export const REDIS_URL = redisTestUrl();
export const PG_URL = `${pgTestServerUrl()}/postgres`;

export function uniqueId(stem = 't'): string {
  return `${stem}${randomBytes(5).toString('hex')}`;
}

export function testNames() {
  return { prefix: uniqueId('tmfleet'), queue: 'fleet' };
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}

/** Collects every message on `*:migration`, `*:run_sync`, `*:archive` for the given run ids. */
export async function channelRecorder(runIds: readonly string[]) {
  const sub = new Redis(REDIS_URL);
  const messages: {
    channel: string;
    event: string;
    runId: string;
    at: string;
    jobId?: string;
    message?: string;
    detail?: Record<string, unknown>;
  }[] = [];
  const wanted = new Set(runIds);
  sub.on('pmessage', (_p, channel, text) => {
    const m = JSON.parse(text) as { event: string; runId: string; at: string };
    if (wanted.has(m.runId)) messages.push({ ...m, channel });
  });
  await sub.psubscribe('*:migration', '*:run_sync', '*:archive');
  return {
    messages,
    events: (runId: string, channel?: string) =>
      messages.filter((m) => m.runId === runId && (!channel || m.channel === channel)).map((m) => m.event),
    async close() {
      await sub.quit();
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
