import { createRunner } from '@tidemark/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { follow, telemetryPlugin, type FollowEvent } from '@tidemark/plugin-telemetry';
import { useLegacyTarget } from './test/legacy-target.js';
import { PG_URL } from './test/pg.js';
import { LOGGER_HEADER, loggerRow } from './demo/sample-data.js';

const tsx = createRequire(import.meta.url).resolve('tsx');
const childScript = join(import.meta.dirname, 'test', 'follow-child.ts');
const rows = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => `${loggerRow(from + k)}\n`).join('');
const at = (i: number) => new Date(Date.UTC(2024, 4, 1, 8, 0, 0) + i * 1000).toISOString();

let output = () => '';

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; follow's output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Child {
  proc: ChildProcess;
  out(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnFollow(logsDir: string, url: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', tsx, childScript, 'follow', logsDir, '--poll-ms', '100'], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, DATABASE_URL: url, TIDEMARK_TELEMETRY_DB_WRITES: 'on', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  output = () => out;
  return { proc, out: () => out, exited };
}

describe('follow: the mirror of a live logger folder (PostgreSQL)', () => {
  // c.csv first: a.csv is the newest file (the one the logger writes), so it is not closed by "a newer file exists"
  const legacy = useLegacyTarget({
    'c.csv': `${LOGGER_HEADER}\n${rows(50, 52)}`,
    'a.csv': `${LOGGER_HEADER}\n${rows(0, 3)}${loggerRow(3).slice(0, 15)}`,
  });
  const path = (f: string) => join(legacy.target.logsDir, f);
  const lines = async (file: string) =>
    (
      await legacy
        .knex('run_samples as s')
        .join('runs as r', 'r.id', 's.run_id')
        .where('r.source_file', file)
        .orderBy('s.line_no')
        .select('s.line_no', 's.recorded_at')
    ).map((s) => `${s.line_no as number}@${new Date(s.recorded_at as string).toISOString()}`);
  const expected = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => `${k + 2}@${at(from + k)}`);
  const count = async (file: string) => (await lines(file)).length;

  it(
    'every line of every file exactly once: appends between two up runs, while follow runs, across a kill -9 mid-file and a restart',
    { timeout: 400_000 },
    async () => {
      const url = `${PG_URL}/${(await legacy.knex.raw('SELECT current_database() AS d')).rows[0].d as string}`;
      const plugin = telemetryPlugin({ backup: false });
      await createRunner({ plugin, target: legacy.target }).up();
      expect(await count('a.csv')).toBe(3); // line 5 is being written: held back
      expect(await legacy.knex('rejected_rows').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);

      // between two up runs: the cut line is finished and two more follow
      await appendFile(path('a.csv'), `${loggerRow(3).slice(15)}\n${rows(4, 6)}`);
      await createRunner({ plugin, target: legacy.target }).up({ repairDrift: true });
      expect(await lines('a.csv')).toEqual(expected(0, 6));

      // while follow runs: appends (one line cut mid-write) and a new file
      let child = spawnFollow(legacy.target.logsDir, url);
      await until('follow to start', () => child.out().includes('following'));
      // b.csv is created before a.csv grows: a file born after a.csv's last write would close it (its cut line
      // then rejected as truncated), which is the rule, not what this part of the test is about
      await writeFile(path('b.csv'), `${LOGGER_HEADER}\n${rows(100, 102)}`);
      await new Promise((r) => setTimeout(r, 20));
      await appendFile(path('a.csv'), `${rows(6, 9)}${loggerRow(9).slice(0, 7)}`);
      await until(
        'a.csv lines 6..8 and b.csv',
        async () => (await count('a.csv')) === 9 && (await count('b.csv')) === 2,
      );

      // killed between the COPY of a.csv's new lines and the COMMIT of their offset
      child.proc.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      child = spawnFollow(legacy.target.logsDir, url, { FOLLOW_HOLD_COMMIT_MS: '60000' });
      await until('follow to start', () => child.out().includes('following'));
      await appendFile(path('a.csv'), `${loggerRow(9).slice(7)}\n${rows(10, 12)}`);
      await until('the round to hold its commit', () => child.out().includes('holding-commit a.csv'));
      child.proc.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      expect(await count('a.csv')).toBe(9);

      // written while no follower runs, then a restart picks up from the offsets in the database
      await appendFile(path('a.csv'), `${rows(12, 14)}${loggerRow(14).slice(0, 30)}`);
      await appendFile(path('b.csv'), rows(102, 104));
      child = spawnFollow(legacy.target.logsDir, url);
      await until('follow to start', () => child.out().includes('following'));
      await until('the catch-up', async () => (await count('a.csv')) === 14 && (await count('b.csv')) === 4);
      await appendFile(path('a.csv'), `${loggerRow(14).slice(30)}\n`);
      await until('the held-back line to be completed', async () => (await count('a.csv')) === 15);

      // a rewritten file is reported, not ingested as a second run
      await writeFile(path('c.csv'), `${LOGGER_HEADER}\n${rows(70, 75)}`);
      await until('the conflict report', () => /conflict: "c\.csv" rewritten/.test(child.out()));
      child.proc.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);

      expect(await lines('a.csv')).toEqual(expected(0, 15));
      expect(await lines('b.csv')).toEqual(expected(100, 104));
      expect(await lines('c.csv')).toEqual(expected(50, 52));
      const runs = await legacy
        .knex('runs')
        .groupBy('source_file')
        .orderBy('source_file')
        .select('source_file')
        .count<{ source_file: string; count: string }[]>('* as count');
      expect(runs).toEqual([
        { source_file: 'a.csv', count: '1' },
        { source_file: 'b.csv', count: '1' },
        { source_file: 'c.csv', count: '1' },
      ]);
      expect(await legacy.knex('rejected_rows').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);
      const files = await legacy
        .knex('ingested_files')
        .orderBy('path')
        .select('path', 'data_lines', 'inserted', 'conflict');
      expect(files).toEqual([
        { path: 'a.csv', data_lines: 15, inserted: 15, conflict: null },
        { path: 'b.csv', data_lines: 4, inserted: 4, conflict: null },
        { path: 'c.csv', data_lines: 2, inserted: 2, conflict: expect.stringMatching(/^rewritten/) },
      ]);
    },
  );

  it('follow() honours the feature flag: off, nothing is mirrored; on, what was written meanwhile is caught up', async () => {
    await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target }).up();
    let on = false;
    const events: FollowEvent[] = [];
    const follower = await follow({
      knex: legacy.knex,
      logsDir: legacy.target.logsDir,
      enabled: () => on,
      pollMs: 50,
      onEvent: (e) => events.push(e),
    });
    try {
      await appendFile(path('c.csv'), rows(52, 55));
      await follower.settled();
      expect(await count('c.csv')).toBe(2);
      expect(events.map((e) => e.type)).toContain('paused');
      on = true;
      await follower.settled();
      expect(await lines('c.csv')).toEqual(expected(50, 55));
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'ingested', file: 'c.csv', inserted: 3, grown: true }),
      );
    } finally {
      await follower.stop();
    }
  });

  it('fs.watch alone (the poll an hour away) wakes follow for appends in the folder and in a subfolder', async () => {
    await mkdir(path('line-2'));
    await writeFile(path('line-2/d.csv'), `${LOGGER_HEADER}\n${rows(200, 201)}`);
    await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target }).up();
    const follower = await follow({
      knex: legacy.knex,
      logsDir: legacy.target.logsDir,
      enabled: () => true,
      pollMs: 3_600_000,
    });
    try {
      // the first round has listed the subfolder (and watches it); from here only watch events start rounds
      await until('the first round', () => follower.stats().rounds >= 1);
      await appendFile(path('c.csv'), rows(52, 54));
      await until('c.csv lines 52..53', async () => (await count('c.csv')) === 4, 30_000);
      await appendFile(path('line-2/d.csv'), rows(201, 203));
      await until('line-2/d.csv lines 201..202', async () => (await count('line-2/d.csv')) === 3, 30_000);
      expect(follower.stats().watching).toBe(true);
    } finally {
      await follower.stop();
    }
    expect(await lines('line-2/d.csv')).toEqual(expected(200, 203));
  });

  it('a file replaced by another one under its name (rename over it) is read afresh: same prefix grows, another prefix is a conflict', async () => {
    await writeFile(path('b.csv'), `${LOGGER_HEADER}\n${rows(100, 102)}`);
    await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target }).up();
    const events: FollowEvent[] = [];
    const follower = await follow({
      knex: legacy.knex,
      logsDir: legacy.target.logsDir,
      enabled: () => true,
      pollMs: 50,
      onEvent: (e) => events.push(e),
    });
    try {
      // a round keeps b.csv and c.csv open after they grew
      await appendFile(path('b.csv'), rows(102, 103));
      await appendFile(path('c.csv'), rows(52, 53));
      await follower.settled();
      expect([await count('b.csv'), await count('c.csv')]).toEqual([3, 3]);
      // the same bytes and more, written elsewhere and renamed over c.csv: a new inode at the path, grown
      await writeFile(path('c.tmp'), `${LOGGER_HEADER}\n${rows(50, 55)}`);
      await rename(path('c.tmp'), path('c.csv'));
      // another history renamed over b.csv: a conflict, nothing of it ingested
      await writeFile(path('b.tmp'), `${LOGGER_HEADER}\n${rows(80, 90)}`);
      await rename(path('b.tmp'), path('b.csv'));
      await follower.settled();
      expect(await lines('c.csv')).toEqual(expected(50, 55));
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'conflict', file: 'b.csv', reason: expect.stringMatching(/^rewritten/) }),
      );
      expect(await lines('b.csv')).toEqual(expected(100, 103));
    } finally {
      await follower.stop();
    }
  });

  it('follow refuses a missing folder or a database without the schema', async () => {
    await expect(
      follow({ knex: legacy.knex, logsDir: `${legacy.target.logsDir}-nope`, enabled: () => true }),
    ).rejects.toThrow(/logsDir ".*-nope" does not exist/);
    await expect(follow({ knex: legacy.knex, logsDir: legacy.target.logsDir, enabled: () => true })).rejects.toThrow(
      /run `tidemark up` first/,
    );
  });
});
