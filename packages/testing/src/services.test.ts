import { createRunner, defineMigration, definePlugin, memoryLedger, memoryLock, newHolder } from '@tidemark/core';
import {
  createPgTestDatabase,
  createRedisTestKeys,
  createTempFolder,
  describeLedgerConformance,
  pgTestServerUrl,
  redisTestUrl,
  testClock,
} from '@tidemark/testing';
import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';

describe('one env variable per service', () => {
  it("every package's tests find PostgreSQL through TIDEMARK_TEST_PG: no source reads the deprecated alias itself", async () => {
    const packages = fileURLToPath(new URL('../../', import.meta.url));
    const readers: string[] = [];
    for (const entry of await readdir(packages, { recursive: true, withFileTypes: true })) {
      const file = join(entry.parentPath, entry.name);
      const rel = relative(packages, file);
      if (
        !entry.isFile() ||
        !/\.ts$/.test(entry.name) ||
        !/^[^/]+\/src\//.test(rel) ||
        rel.includes('node_modules') ||
        rel.startsWith('testing/src/services')
      )
        continue;
      if ((await readFile(file, 'utf8')).includes('TIDEMARK_PG_URL')) readers.push(rel);
    }
    expect(readers).toEqual([]);
  });

  it("every package's test code reaches PostgreSQL and Redis through pgTestServerUrl() / redisTestUrl(): no variable or local URL of its own", async () => {
    const packages = fileURLToPath(new URL('../../', import.meta.url));
    // Where a local URL is the data under test, not a connection: redaction inputs, the generated app's DATABASE_URL
    // default.
    const allowed = new Set(['core/src/redact.test.ts', 'cli/src/init.test.ts']);
    const own =
      /process\.env\.(TIDEMARK_TEST_PG|TIDEMARK_TEST_REDIS|TIDEMARK_E2E_PG|TIDEMARK_PG_URL|REDIS_URL|PG_URL)\b|(postgres|redis):\/\/[^'"`\s]*127\.0\.0\.1:(5432|6379)/;
    const readers: string[] = [];
    for (const entry of await readdir(packages, { recursive: true, withFileTypes: true })) {
      const file = join(entry.parentPath, entry.name);
      const rel = relative(packages, file);
      const testCode = /\.test\.ts$/.test(entry.name) || /\/(test|e2e)\//.test(rel);
      if (
        !entry.isFile() ||
        !testCode ||
        !/^[^/]+\/src\//.test(rel) ||
        rel.includes('node_modules') ||
        rel.startsWith('testing/src/services') ||
        allowed.has(rel)
      )
        continue;
      if (own.test(await readFile(file, 'utf8'))) readers.push(rel);
    }
    expect(readers).toEqual([]);
  });

  it('TIDEMARK_TEST_PG wins, TIDEMARK_PG_URL is a deprecated alias, and the database path is dropped', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(
      pgTestServerUrl({ TIDEMARK_TEST_PG: 'postgres://a@h1:5433/x', TIDEMARK_PG_URL: 'postgres://b@h2:5432' }),
    ).toBe('postgres://a@h1:5433');
    expect(warn).not.toHaveBeenCalled();
    expect(pgTestServerUrl({ TIDEMARK_PG_URL: 'postgres://b@h2:5432/postgres' })).toBe('postgres://b@h2:5432');
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('TIDEMARK_PG_URL is deprecated: set TIDEMARK_TEST_PG'),
      'DeprecationWarning',
    );
    expect(pgTestServerUrl({})).toBe('postgres://postgres@127.0.0.1:5432');
    warn.mockRestore();
  });

  it('a malformed URL names the variable and never prints its value', () => {
    expect(() => pgTestServerUrl({ TIDEMARK_TEST_PG: 'not a url s3cret' })).toThrow(
      /^\[tidemark\] \[testing\] TIDEMARK_TEST_PG is not a URL/,
    );
    expect(() => pgTestServerUrl({ TIDEMARK_TEST_PG: 'not a url s3cret' })).not.toThrow(/s3cret/);
  });

  it('TIDEMARK_TEST_REDIS, else the local server', () => {
    expect(redisTestUrl({ TIDEMARK_TEST_REDIS: 'redis://r:6380' })).toBe('redis://r:6380');
    expect(redisTestUrl({})).toBe('redis://127.0.0.1:6379');
  });
});

describe('createTempFolder', () => {
  it('makes an empty folder under TIDEMARK_TEST_TMP and removes it with its content', async () => {
    const parent = await createTempFolder();
    const folder = await createTempFolder('case-', { TIDEMARK_TEST_TMP: parent.path });
    expect(folder.path.startsWith(join(parent.path, 'case-'))).toBe(true);
    await writeFile(join(folder.path, 'x.txt'), 'x');
    await folder.remove();
    expect(existsSync(folder.path)).toBe(false);
    await parent.remove();
    expect(existsSync(parent.path)).toBe(false);
  });
});

describe('createPgTestDatabase', () => {
  it('creates a usable database and drops it even with a client still connected', async () => {
    const db = await createPgTestDatabase({ prefix: 'tdm_testing' });
    expect(db.name).toMatch(/^tdm_testing_[0-9a-f]{12}$/);
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    expect((await client.query<{ d: string }>('SELECT current_database() AS d')).rows[0]?.d).toBe(db.name);
    await db.drop();
    const admin = new pg.Client({ connectionString: `${pgTestServerUrl()}/postgres` });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    await admin.end();
    await client.end().catch(() => undefined);
    expect(left.rowCount).toBe(0);
  });

  it('refuses a prefix that is not a plain identifier (it is spliced into SQL)', async () => {
    await expect(createPgTestDatabase({ prefix: 'x; DROP DATABASE postgres' })).rejects.toThrow(
      /\[tidemark\] \[testing\] prefix/,
    );
  });
});

describe('createRedisTestKeys', () => {
  it('deletes exactly its own keys', async () => {
    const mine = await createRedisTestKeys();
    const theirs = await createRedisTestKeys();
    const redis = new Redis(redisTestUrl());
    try {
      for (let i = 0; i < 1200; i++) await redis.set(mine.key(`k${i}`), '1');
      await redis.set(theirs.key('kept'), '1');
      await mine.cleanup();
      expect(await redis.keys(`${mine.prefix}*`)).toEqual([]);
      expect(await redis.get(theirs.key('kept'))).toBe('1');
    } finally {
      await theirs.cleanup();
      await redis.quit();
    }
    expect(mine.prefix).not.toBe(theirs.prefix);
  });
});

describe('testClock', () => {
  it('moves only forward, by hand', () => {
    const clock = testClock('2026-01-02T03:04:05.000Z');
    clock.advance(1500);
    expect(clock.iso()).toBe('2026-01-02T03:04:06.500Z');
    expect(() => clock.advance(-1)).toThrow(/\[tidemark\] \[testing\] testClock.advance/);
    expect(() => testClock('yesterday')).toThrow(/not a time/);
  });

  it('expires a lease without sleeping', async () => {
    const clock = testClock();
    const lock = memoryLock(clock.now);
    const a = newHolder();
    expect(await lock.acquire(a, 60_000)).toBe(true);
    expect(await lock.acquire(newHolder(), 60_000)).toBe(false);
    clock.advance(60_001);
    expect(await lock.acquire(newHolder(), 60_000)).toBe(true);
  });

  it("a runner on the clock records deterministic times: every ledger entry's and event's `at` is the clock's", async () => {
    const clock = testClock('2026-05-06T07:08:09.000Z');
    const ledger = memoryLedger();
    const step = (id: string) =>
      defineMigration<object>({
        id,
        title: id,
        async up() {
          clock.advance(1000);
        },
      });
    const plugin = definePlugin<object>({
      name: 'clocked',
      migrations: [step('001_a'), step('002_b')],
      ledger: () => ledger,
      describe: () => 't',
    });
    const events: string[] = [];
    await createRunner({ plugin, target: {}, clock: clock.now, onEvent: (e) => events.push(e.at) }).up();
    expect((await ledger.read()).map((e) => [e.id, e.at])).toEqual([
      ['001_a', '2026-05-06T07:08:10.000Z'],
      ['002_b', '2026-05-06T07:08:11.000Z'],
    ]);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((at) => at >= '2026-05-06T07:08:09.000Z' && at <= '2026-05-06T07:08:11.000Z')).toBe(true);
  });
});

// The conformance suite's expiry test advances the fixture's clock instead of sleeping: a 1-hour TTL passes at once.
describeLedgerConformance(
  'memoryLedger on a test clock',
  async () => {
    const clock = testClock();
    return { ledger: { ...memoryLedger(), lock: memoryLock(clock.now) }, clock, cleanup: async () => {} };
  },
  { minTtlMs: 3_600_000 },
);
