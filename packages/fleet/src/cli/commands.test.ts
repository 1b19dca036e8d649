import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFleetQueue } from '../jobs/queue.js';
import { buildLegacyPup, buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { runShape } from '../test/fleet-plugin.js';
import { deleteKeys, REDIS_URL, testNames, uniqueId, waitFor } from '../test/redis.js';
import { registerFleetCommands } from './commands.js';

let root: string;
let names: ReturnType<typeof testNames>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tidemark-fleet-cli-'));
  names = testNames();
});
afterEach(async () => {
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, `${names.prefix}:*`);
  await redis.quit();
  await rm(root, { recursive: true, force: true });
});

async function run(argv: string[], stop?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command('tidemark').exitOverride();
  registerFleetCommands(program, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    setExitCode: (c) => (code = c),
    ...(stop ? { stopSignal: stop } : {}),
  });
  await program.parseAsync(['fleet', ...argv], { from: 'user' });
  return { stdout, stderr, code, text: () => stdout + stderr };
}

describe('tidemark fleet commands', () => {
  it('enqueue <root> finds every run, enqueues one job each, and reports duplicates as already queued', async () => {
    const ids = [uniqueId('ca'), uniqueId('cb')];
    for (const id of ids) await buildLegacyRun(root, { runId: id, extras: [] });
    const first = await run(['enqueue', root, '--prefix', names.prefix, '--redis-url', REDIS_URL, '--json']);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout) as { added: number; collapsed: number; jobs: { runId: string }[] };
    expect(doc.added).toBe(2);
    expect(doc.jobs.map((j) => j.runId).sort()).toEqual([...ids].sort());
    const again = await run(['enqueue', ids[0]!, '--root', root, '--prefix', names.prefix, '--redis-url', REDIS_URL]);
    expect(again.stdout).toContain('already queued');
    expect(again.stderr).toContain('0 job(s) enqueued, 1 run(s) already had one');
  });

  it('enqueue <root> enqueues each _pups child as its own run, after its parent; a child folder is named after its parent', async () => {
    const id = uniqueId('cp');
    const dir = await buildLegacyRun(root, { runId: id, extras: [] });
    const pup = await buildLegacyPup(dir, 'omni/scenarios/burned', { extras: [] });
    const all = await run(['enqueue', root, '--prefix', names.prefix, '--redis-url', REDIS_URL, '--json']);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as { jobs: { runId: string }[] }).jobs.map((j) => j.runId)).toEqual([
      id,
      `${id}/_pups/omni/scenarios/burned`,
    ]);
    const one = await run(['enqueue', pup, '--prefix', names.prefix, '--redis-url', REDIS_URL]);
    expect(one.stdout).toContain(`${id}/_pups/omni/scenarios/burned\tmigration`);
    expect(one.stdout).toContain('already queued');
  });

  it('worker --plugin runs the queued jobs and stops gracefully on the stop signal', async () => {
    const id = uniqueId('cw');
    const dir = await buildLegacyRun(root, { runId: id, extras: [] });
    const plugin = join(root, 'plugin.ts');
    await writeFile(
      plugin,
      `export { fleetTestPlugin as default } from ${JSON.stringify(join(import.meta.dirname, '..', 'test', 'fleet-plugin.ts'))};\n`,
    );
    await run(['enqueue', dir, '--prefix', names.prefix, '--redis-url', REDIS_URL]);
    const stop = new AbortController();
    const worker = run(
      [
        'worker',
        '--root',
        root,
        '--prefix',
        names.prefix,
        '--redis-url',
        REDIS_URL,
        '--plugin',
        plugin,
        '--concurrency',
        '2',
      ],
      stop.signal,
    );
    const fq = openFleetQueue({ ...names, redis: REDIS_URL });
    try {
      await waitFor('the job to complete', async () => (await fq.queue.getJobCountByTypes('completed')) === 1, 30_000);
    } finally {
      await fq.close();
      stop.abort();
    }
    const out = await worker;
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`run=${id} job=migration status=migrated attempt=1`));
    expect(out.stderr).toContain('worker stopped');
    expect(await runShape(dir)).toBe('migrated');
  });

  it('refuses bad input with a clear message and exit code 1', async () => {
    const bad = await run(['enqueue', 'not a run id!', '--prefix', names.prefix, '--redis-url', REDIS_URL]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"not a run id!" is not a run id');
    const push = await run([
      'sync',
      'rlew-x',
      '--config',
      'c',
      '--host',
      'wc.bearhive.duckdns.org',
      '--prefix',
      names.prefix,
      '--redis-url',
      REDIS_URL,
    ]);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('allow push');
    const dash = await run(['dashboard', '--prefix', names.prefix]);
    expect(dash.code).toBe(1);
    expect(dash.stderr).toContain('TIDEMARK_DASHBOARD_TOKEN');
  });
});
