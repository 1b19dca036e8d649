// WEPPcloud keeps `.nodb` locks in Redis, not on disk: `nodb-lock:<runid>:<relpath>` (SET NX EX, JSON
// value) and, in older deployments, a hash `<runid>` with fields `locked:<file>.nodb` = "true". A run that
// any of these says is locked is being written by the web app; migrating it would race with that writer.
// Checking is not enough (the app could take a lock right after), so while a migration runs this guard
// also HOLDS the lock of every root `.nodb` in the real format, and renews it; the app then waits for us.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createError, defineGuard, describeError, redact, type Guard } from '@tidemark/core';
import type { Redis as IoRedis } from 'ioredis';
import { RunDirsGuardError } from './refusal.js';
import { runIdentity, shortLabel, type RunTargetLike } from './run-identity.js';

/** Sends one raw Redis command. ioredis (`call`) and node-redis (`sendCommand`) clients are adapted. */
export interface RedisCommander {
  command(args: string[]): Promise<unknown>;
  /** Present when this module opened the connection itself (from a URL). */
  close?(): Promise<void>;
}

/** A Redis URL, an ioredis client, a node-redis v4+ client, or a RedisCommander. */
export type RedisInput =
  | string
  | RedisCommander
  | { call: (...args: any[]) => Promise<unknown> }
  | { sendCommand: (args: string[]) => Promise<unknown> };

export async function redisCommander(input: RedisInput): Promise<RedisCommander> {
  if (typeof input === 'string') {
    let Redis: typeof IoRedis;
    try {
      ({ Redis } = await import('ioredis'));
    } catch (error) {
      throw createError(
        'plugin-run-dirs',
        `a Redis URL was given but the optional dependency "ioredis" is not installed: ${describeError(error)}`,
      );
    }
    const client = new Redis(input, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined); // connection errors surface from connect() and each command instead
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw createError('plugin-run-dirs', `cannot connect to Redis at ${redact(input)}: ${describeError(error)}`);
    }
    return {
      command: (args) => client.call(args[0]!, ...args.slice(1)),
      close: async () => {
        await client.quit();
      },
    };
  }
  // ioredis also has a `command` method (Redis's COMMAND), so its `call` is tested first.
  if ('call' in input && typeof input.call === 'function')
    return { command: (args) => input.call(args[0], ...args.slice(1)) };
  if ('sendCommand' in input && typeof input.sendCommand === 'function')
    return { command: (args) => input.sendCommand(args) };
  if ('command' in input && typeof input.command === 'function') return input;
  throw createError('plugin-run-dirs', 'redis: expected a URL, an ioredis or node-redis client, or { command(args) }');
}

export interface NodbLockOptions {
  redis: RedisInput;
  /** Lease on each `.nodb` lock this guard holds; renewed every third of it. Default 10 min. */
  ttlMs?: number;
  /** Hold the run's `.nodb` locks while migrating (default true). False only checks. */
  hold?: boolean;
}

export interface LockFinding {
  key: string;
  /** The `.nodb` path that is locked, relative to the top-level run. */
  file: string;
  holder?: string;
  form: 'key' | 'legacy-hash';
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

async function rootNodbFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isFile() && d.name.endsWith('.nodb'))
    .map((d) => d.name)
    .sort();
}

function pairs(reply: unknown): [string, string][] {
  if (Array.isArray(reply)) {
    const out: [string, string][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), String(reply[i + 1])]);
    return out;
  }
  if (reply && typeof reply === 'object')
    return Object.entries(reply as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
  return [];
}

/** Every lock that the real system would honour on this run (and, for a top-level run, its `_pups`). */
export async function findNodbLocks(
  redis: RedisCommander,
  target: RunTargetLike,
  ignoreToken?: string,
): Promise<LockFinding[]> {
  const id = runIdentity(target);
  const prefix = id.lockPrefix ? `${id.lockPrefix}/` : '';
  const found: LockFinding[] = [];
  const keyPrefix = `nodb-lock:${id.lockRunId}:`;
  let cursor = '0';
  do {
    const reply = (await redis.command([
      'SCAN',
      cursor,
      'MATCH',
      `${escapeGlob(keyPrefix + prefix)}*`,
      'COUNT',
      '500',
    ])) as [unknown, unknown[]];
    cursor = String(reply[0]);
    for (const raw of reply[1]) {
      const key = String(raw);
      const value = await redis.command(['GET', key]);
      if (value === null || value === undefined) continue; // expired between SCAN and GET
      let holder: string | undefined;
      let token: string | undefined;
      try {
        const parsed = JSON.parse(String(value)) as { owner?: string; token?: string };
        holder = parsed.owner;
        token = parsed.token;
      } catch {
        holder = undefined;
      }
      if (ignoreToken !== undefined && token === ignoreToken) continue;
      found.push({ key, file: key.slice(keyPrefix.length), form: 'key', ...(holder ? { holder } : {}) });
    }
  } while (cursor !== '0');
  for (const [field, value] of pairs(await redis.command(['HGETALL', id.lockRunId]))) {
    if (!field.startsWith('locked:') || value.toLowerCase() !== 'true') continue;
    const file = field.slice('locked:'.length);
    if (prefix && !file.startsWith(prefix)) continue;
    found.push({ key: `${id.lockRunId} ${field}`, file, form: 'legacy-hash' });
  }
  return found.sort((a, b) => a.key.localeCompare(b.key));
}

function refusal(target: RunTargetLike, locks: readonly LockFinding[]): RunDirsGuardError {
  const list = locks
    .map(
      (l) => `${l.file}${l.holder ? ` (held by ${l.holder})` : ''}${l.form === 'legacy-hash' ? ' (legacy hash)' : ''}`,
    )
    .join(', ');
  return new RunDirsGuardError(
    'NODB_LOCKED',
    `run "${shortLabel(target)}" has locked .nodb files: ${list}; the web app is writing it, nothing was changed`,
  );
}

export async function assertNoNodbLocks(redis: RedisCommander, target: RunTargetLike): Promise<void> {
  const locks = await findNodbLocks(redis, target);
  if (locks.length > 0) throw refusal(target, locks);
}

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const RENEW =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

export interface HeldNodbLocks {
  readonly keys: readonly string[];
  release(): Promise<void>;
}

/** Takes the real-format lock of every root `.nodb` of the run, or none (and throws naming the holders). */
export async function holdNodbLocks(
  redis: RedisCommander,
  target: RunTargetLike,
  ttlMs: number,
): Promise<HeldNodbLocks> {
  const id = runIdentity(target);
  const prefix = id.lockPrefix ? `${id.lockPrefix}/` : '';
  const token = randomUUID();
  const now = Date.now() / 1000;
  const value = JSON.stringify({
    token,
    owner: `${hostname()}:${process.pid}`,
    acquired_at: now,
    expires_at: now + ttlMs / 1000,
    ttl: Math.round(ttlMs / 1000),
  });
  const held: { key: string; value: string }[] = [];
  const release = async () => {
    for (const h of held.splice(0)) await redis.command(['EVAL', RELEASE, '1', h.key, h.value]);
  };
  try {
    for (const file of await rootNodbFiles(id.dir)) {
      const key = `nodb-lock:${id.lockRunId}:${prefix}${file}`;
      const ok = await redis.command(['SET', key, value, 'PX', String(ttlMs), 'NX']);
      if (ok === null || ok === undefined) throw refusal(target, await findNodbLocks(redis, target, token));
      held.push({ key, value });
    }
    const others = await findNodbLocks(redis, target, token);
    if (others.length > 0) throw refusal(target, others);
  } catch (error) {
    await release();
    throw error;
  }
  const keys = held.map((h) => h.key);
  const timer = setInterval(
    () => {
      for (const h of held) redis.command(['EVAL', RENEW, '1', h.key, h.value, String(ttlMs)]).catch(() => undefined);
    },
    Math.max(1000, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    keys,
    release: async () => {
      clearInterval(timer);
      await release();
    },
  };
}

export function nodbLockGuard<T extends RunTargetLike>(options: NodbLockOptions): Guard<T> {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  return defineGuard<T>({
    name: 'run-dirs:nodb-locks',
    async aroundRun(ctx, next) {
      const redis = await redisCommander(options.redis);
      try {
        if (options.hold === false) {
          await assertNoNodbLocks(redis, ctx.target);
          await next();
          return;
        }
        const held = await holdNodbLocks(redis, ctx.target, ttlMs);
        ctx.emit('nodb-locks-held', { keys: held.keys.length });
        try {
          await next();
        } finally {
          await held.release();
        }
      } finally {
        await redis.close?.();
      }
    },
  });
}
