// Throwaway PostgreSQL databases, Redis key prefixes and temp folders for tests, each on ONE env variable:
// TIDEMARK_TEST_PG (server URL; TIDEMARK_PG_URL is its deprecated alias), TIDEMARK_TEST_REDIS, TIDEMARK_TEST_TMP.
// `pg` and `ioredis` are optional peers, loaded only by the helper that needs them.
import { createError } from '@tidemark/core';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_ENV = 'TIDEMARK_TEST_PG';
export const PG_ENV_DEPRECATED = 'TIDEMARK_PG_URL';
export const REDIS_ENV = 'TIDEMARK_TEST_REDIS';
export const TMP_ENV = 'TIDEMARK_TEST_TMP';

type Env = Record<string, string | undefined>;
let warnedAlias = false;

/**
 * The PostgreSQL server tests use, as a URL ending at the server (no database): `TIDEMARK_TEST_PG`, else the
 * deprecated `TIDEMARK_PG_URL`, else the local trust-auth server. A database path in either is dropped.
 */
export function pgTestServerUrl(env: Env = process.env): string {
  let raw = env[PG_ENV];
  if (!raw && env[PG_ENV_DEPRECATED]) {
    raw = env[PG_ENV_DEPRECATED];
    if (!warnedAlias) {
      warnedAlias = true;
      process.emitWarning(
        `${PG_ENV_DEPRECATED} is deprecated: set ${PG_ENV} (the same URL) instead`,
        'DeprecationWarning',
      );
    }
  }
  raw ||= 'postgres://postgres@127.0.0.1:5432';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value may hold a password: name the variable, never print it.
    throw createError(
      'testing',
      `${env[PG_ENV] ? PG_ENV : PG_ENV_DEPRECATED} is not a URL (expected postgres://user@host:port)`,
    );
  }
  url.pathname = '';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}

export function redisTestUrl(env: Env = process.env): string {
  return env[REDIS_ENV] || 'redis://127.0.0.1:6379';
}

function uniqueName(prefix: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
    throw createError('testing', `prefix ${JSON.stringify(prefix)} must match [a-z_][a-z0-9_]*`);
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

async function load<M>(name: string, helper: string): Promise<M> {
  try {
    return (await import(name)) as M;
  } catch (cause) {
    throw createError('testing', `${helper} needs the "${name}" package: npm install -D ${name}`, { cause });
  }
}

export interface TempFolder {
  path: string;
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A new empty folder under `TIDEMARK_TEST_TMP` (default: the OS temp folder); `remove()` deletes it. */
export async function createTempFolder(prefix = 'tidemark-', env: Env = process.env): Promise<TempFolder> {
  const path = await mkdtemp(join(env[TMP_ENV] || tmpdir(), prefix));
  const remove = () => rm(path, { recursive: true, force: true });
  return { path, remove, [Symbol.asyncDispose]: remove };
}

export interface PgTestDatabase {
  name: string;
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
type PgModule = { default: { Client: new (config: { connectionString: string }) => PgClient } };

/** A new empty database (random name) on the test server; needs `pg`. */
export async function createPgTestDatabase(options: { prefix?: string; env?: Env } = {}): Promise<PgTestDatabase> {
  const pg = await load<PgModule>('pg', 'createPgTestDatabase');
  const server = pgTestServerUrl(options.env);
  const name = uniqueName(options.prefix ?? 'tdm_test');
  const admin = async (sql: string) => {
    const client = new pg.default.Client({ connectionString: `${server}/postgres` });
    try {
      await client.connect();
      await client.query(sql);
    } catch (cause) {
      throw createError(
        'testing',
        `PostgreSQL at ${server} (${PG_ENV}): ${sql.split(' ').slice(0, 2).join(' ')} ${name} failed`,
        { cause },
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  return { name, url: `${server}/${name}`, drop, [Symbol.asyncDispose]: drop };
}

export interface RedisTestKeys {
  url: string;
  /** Every key of this test starts with it. */
  prefix: string;
  key(name: string): string;
  /** Deletes exactly the keys under `prefix` (SCAN, not KEYS) and closes the connection. */
  cleanup(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface RedisClient {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
}
type RedisModule = {
  Redis: new (url: string, options: { lazyConnect: boolean; maxRetriesPerRequest: number }) => RedisClient;
};

/** A key prefix of its own on the test Redis; needs `ioredis`. */
export async function createRedisTestKeys(options: { prefix?: string; env?: Env } = {}): Promise<RedisTestKeys> {
  const { Redis } = await load<RedisModule>('ioredis', 'createRedisTestKeys');
  const url = redisTestUrl(options.env);
  const prefix = `${uniqueName(options.prefix ?? 'tdm_test')}:`;
  const cleanup = async () => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch (cause) {
      throw createError('testing', `Redis (${REDIS_ENV}): deleting keys ${prefix}* failed`, { cause });
    } finally {
      await redis.quit().catch(() => undefined);
    }
  };
  return { url, prefix, key: (name) => `${prefix}${name}`, cleanup, [Symbol.asyncDispose]: cleanup };
}
