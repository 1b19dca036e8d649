// @tidemark/fleet is an optional peer: `tidemark fleet` without it is one line saying how to add it, and
// every other command runs without ever loading it.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { FLEET_MISSING, isFleetMissing } from './fleet-loader.js';
import { spawnBin } from './test/bin.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], alias: Record<string, string>) {
  dir ??= await mkdtemp(join(tmpdir(), 'tidemark-fleet-'));
  const child = await spawnBin(args, dir, alias);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}

it('package.json: @tidemark/fleet is an optional peer (and a devDependency for the workspace), not a dependency', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  expect(pkg.dependencies).not.toHaveProperty('@tidemark/fleet');
  expect(pkg.peerDependencies).toHaveProperty('@tidemark/fleet');
  expect(pkg.peerDependenciesMeta?.['@tidemark/fleet']).toEqual({ optional: true });
  expect(pkg.devDependencies).toHaveProperty('@tidemark/fleet');
});

it(
  'tidemark fleet without @tidemark/fleet installed says in one line how to add it; --help still works',
  { timeout: 120_000 },
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-fleet-'));
    const absent = { '@tidemark/fleet': join(dir, 'node_modules', '@tidemark', 'fleet') };
    const fleet = await run(['fleet', 'jobs'], absent);
    expect(fleet.stderr).toBe(`error ${FLEET_MISSING}\n`);
    expect(fleet.code).toBe(ExitCode.USAGE);
    expect(fleet.stdout).toBe('');

    const help = await run(['--help'], absent);
    expect(help.code).toBe(ExitCode.OK);
    expect(help.stdout).toMatch(/needs\s+@tidemark\/fleet/);
  },
);

it('only a missing @tidemark/fleet itself counts; a dependency missing inside it is its own error', () => {
  const missing = (name: string, code = 'ERR_MODULE_NOT_FOUND') =>
    Object.assign(
      new Error(`Cannot find package '${name}' imported from /app/node_modules/@tidemark/cli/dist/run-cli.js`),
      { code },
    );
  expect(isFleetMissing(missing('@tidemark/fleet'))).toBe(true);
  expect(isFleetMissing(missing('/app/node_modules/@tidemark/fleet', 'MODULE_NOT_FOUND'))).toBe(true);
  expect(
    isFleetMissing(
      Object.assign(
        new Error("Cannot find package 'bullmq' imported from /app/node_modules/@tidemark/fleet/dist/jobs.js"),
        { code: 'ERR_MODULE_NOT_FOUND' },
      ),
    ),
  ).toBe(false);
  expect(isFleetMissing(missing('@tidemark/fleet-extra'))).toBe(false);
  expect(isFleetMissing(new Error("Cannot find package '@tidemark/fleet'"))).toBe(false);
});
