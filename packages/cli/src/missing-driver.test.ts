// A target whose driver is not installed (knex({ client: 'oracledb' }) without oracledb): one line saying which
// module is missing and how to add it; knex's own "Knex: run $ npm install …" log and its stack stay out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@tidemark/core';
import * as sql from '@tidemark/sql';
import knex from 'knex';
import { afterEach, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import * as cli from './index.js';
import { runCli } from './run-cli.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a missing database driver is one line naming the module and how to add it', async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-driver-'));
  await writeFile(
    join(dir, 'tidemark.config.ts'),
    `import { defineConfig } from '@tidemark/cli';
import { knexPlugin } from '@tidemark/sql';
import knex from 'knex';
export default defineConfig({ targets: { db: { plugin: knexPlugin(), target: () => knex({ client: 'oracledb', connection: {} }) } } });
`,
  );
  for (const argv of [['status'], ['status', '--json']]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      cwd: dir,
      env: {},
      modules: { '@tidemark/core': core, '@tidemark/cli': cli, '@tidemark/sql': sql, knex },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(code).toBe(ExitCode.FAILED);
    const line = "error db: cannot open the target: cannot find module 'oracledb'; is it installed? npm i oracledb";
    expect(stderr).toBe(`${line}\n`);
    if (argv.includes('--json')) {
      expect(JSON.parse(stdout)).toMatchObject({
        ok: false,
        targets: [{ name: 'db', error: { message: line.replace('error db: ', '') } }],
      });
    } else {
      expect(stdout.trim()).toBe('');
    }
  }
});
