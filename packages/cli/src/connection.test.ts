// A target that cannot be reached: one line on stderr naming host, port and database (no password), nothing
// from the driver on stdout, and under --json exactly one JSON document.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@tidemark/core';
import * as sql from '@tidemark/sql';
import { pgTestServerUrl } from '@tidemark/testing';
import knex from 'knex';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectionFailure } from './connection-error.js';
import { ExitCode } from './exit-codes.js';
import * as cli from './index.js';
import { runCli } from './run-cli.js';

const PG = pgTestServerUrl();
const SECRET = `pw${randomBytes(6).toString('hex')}`;

let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function runWith(connection: string, argv: string[]) {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-conn-'));
  await writeFile(
    join(dir, 'tidemark.config.ts'),
    `import { defineConfig } from '@tidemark/cli';
import { knexPlugin } from '@tidemark/sql';
import knex from 'knex';
export default defineConfig({
  targets: {
    db: {
      plugin: knexPlugin(),
      target: () => knex({ client: 'pg', connection: ${JSON.stringify(connection)}, pool: { min: 0, max: 2 }, acquireConnectionTimeout: 5000 }),
      dispose: (k) => k.destroy(),
    },
  },
});
`,
  );
  // knex's own logger writes through console.log, i.e. to the process's stdout.
  const consoleLog = vi.spyOn(console, 'log');
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: dir,
    env: {},
    modules: { '@tidemark/core': core, '@tidemark/cli': cli, '@tidemark/sql': sql, knex },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr, consoleLog };
}

describe('a target that cannot be reached', () => {
  const withPassword = (url: string) =>
    url.replace('://', `://postgres:${SECRET}@`).replace('postgres:postgres@', 'postgres:');

  it.each([
    [
      'a refused port',
      () => `postgres://postgres:${SECRET}@127.0.0.1:1/appdb`,
      ['127.0.0.1:1', 'appdb', 'ECONNREFUSED'],
    ],
    [
      'a database that does not exist',
      () => withPassword(`${PG}/tdm_missing_${randomBytes(4).toString('hex')}`),
      ['127.0.0.1:5432', 'tdm_missing_', 'does not exist'],
    ],
  ] as const)('%s is one line on stderr and one JSON document on stdout', async (_what, url, names) => {
    for (const command of ['status', 'up', 'plan', 'verify']) {
      const json = await runWith(url(), [command, '--json']);
      expect(json.code).toBe(ExitCode.FAILED);
      expect(json.consoleLog).not.toHaveBeenCalled();
      const doc = JSON.parse(json.stdout) as { ok: boolean; targets: { error: { code: string; message: string } }[] };
      expect(doc.ok).toBe(false);
      expect(doc.targets[0]!.error.code).toBe('CONNECTION');
      const lines = json.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error db: cannot connect to /);
      for (const n of names) expect(lines[0]).toContain(n);
      expect(doc.targets[0]!.error.message).toBe(lines[0]!.replace(/^error db: /, ''));
      expect(json.stdout + json.stderr).not.toContain(SECRET);
    }
    const people = await runWith(url(), ['status']);
    expect(people.consoleLog).not.toHaveBeenCalled();
    expect(people.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(people.stdout + people.stderr).not.toContain(SECRET);
    expect(people.stdout + people.stderr).not.toMatch(/\n\s+at /);
  });

  it('is recognised through causes and AggregateErrors, and nothing else is', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(
      connectionFailure(new Error('[tidemark] [knex] ledger failed', { cause: new AggregateError([refused]) })),
    ).toBe('connect ECONNREFUSED ::1:5432');
    expect(
      connectionFailure(
        Object.assign(new Error('password authentication failed for user "x"\n  at …'), { code: '28P01' }),
      ),
    ).toBe('password authentication failed for user "x"');
    expect(
      connectionFailure(Object.assign(new Error('relation "t" does not exist'), { code: '42P01' })),
    ).toBeUndefined();
    expect(connectionFailure(new Error('boom'))).toBeUndefined();
  });
});

describe('console output of libraries during a command', () => {
  it('goes to stderr, redacted, and the console is restored after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-conn-'));
    await writeFile(
      join(dir, 'tidemark.config.ts'),
      `console.log('loading with postgres://u:${SECRET}@h/db');\nexport default {};\n`,
    );
    const before = console.log;
    let stdout = '';
    let stderr = '';
    const code = await runCli(['status', '--json'], {
      cwd: dir,
      env: {},
      modules: { '@tidemark/core': core, '@tidemark/cli': cli },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(code).toBe(ExitCode.USAGE);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false });
    expect(stderr).toContain('loading with postgres://u:***@h/db');
    expect(stderr).not.toContain(SECRET);
    expect(console.log).toBe(before);
  });
});
