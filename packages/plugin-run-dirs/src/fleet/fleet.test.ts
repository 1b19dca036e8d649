import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createTempFolder, pgTestServerUrl, redisTestUrl, type TempFolder } from '@tidemark/testing';
import { Redis } from 'ioredis';
import knexFactory from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisCommander } from '../guards/nodb-locks.js';
import { buildLegacyPup, buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from '../guards/test/tree-state.js';
import { openRegistry } from '../provenance/registry.js';
import { writeProvenance } from '../provenance/sidecar.js';
import { runFleetCli } from './cli.js';
import { discoverRuns } from './discover.js';
import { fleetUp } from './fleet.js';
import { parseLogLine } from './log-line.js';
import { fleetTestPlugin } from './test/fleet-plugin.js';

const REDIS_URL = redisTestUrl();
const PG_URL = `${pgTestServerUrl()}/postgres`;
const suffix = Math.random().toString(36).slice(2, 8);
const ids = { ok: `ok${suffix}`, old: `old${suffix}`, ro: `ro${suffix}`, locked: `lk${suffix}`, bad: `bd${suffix}` };

let redis: Redis;
let tmp: TempFolder;
let root: string;
const dirs: Record<string, string> = {};

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-fleet-');
  root = join(tmp.path, 'runs');
  dirs.ok = await buildLegacyRun(root, { runId: ids.ok }); // <root>/ok/<id>
  dirs.old = await buildLegacyRun(root, { runId: ids.old, layout: 'flat' }); // older flat layout
  // A child run with no legacy shape: baselined, not migrated.
  dirs.pup = await buildLegacyPup(dirs.ok, 'omni/scenarios/burned', { traits: [], extras: [] });
  dirs.ro = await buildLegacyRun(root, { runId: ids.ro, readonly: true });
  dirs.locked = await buildLegacyRun(root, { runId: ids.locked });
  await redis.set(`nodb-lock:${ids.locked}:ron.nodb`, JSON.stringify({ token: 'x', owner: 'web-7:99' }), 'EX', 120);
  dirs.bad = await buildLegacyRun(root, { runId: ids.bad });
  await writeFile(join(dirs.bad, 'dem', 'wbt', 'channels.geojson'), '{"features":"not a list","TopazID":"1"}');
});
afterEach(async () => {
  await redis.del(`nodb-lock:${ids.locked}:ron.nodb`);
  await tmp.remove();
});

function io(env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  return { io: { stdout: out, stderr: err, env, plugin: fleetTestPlugin() }, text: () => ({ stdout, stderr }) };
}

describe('fleet', () => {
  it('discovers every layout: <root>/<prefix>/<runid>, <root>/<runid>, and _pups children', async () => {
    const runs = await discoverRuns(root);
    const names = runs.map((r) => `${r.layout}:${r.name}`);
    expect(names).toContain(`prefixed:${ids.ok}`);
    expect(names).toContain(`flat:${ids.old}`);
    expect(names).toContain(`pup:${ids.ok}/_pups/omni/scenarios/burned`);
    expect(runs).toHaveLength(6);
    expect(await discoverRuns(root, { contains: 'old' })).toHaveLength(1);
    expect(await discoverRuns(root, { limit: 4 })).toHaveLength(5); // a run and its pup count as one
  });

  it('up: migrates good runs; READONLY, locked and failing runs are reported with their reason and left as they were', async () => {
    const whole = (d: string) => treeState(d, () => false);
    const beforeRo = await whole(dirs.ro!);
    const beforeLocked = await whole(dirs.locked!);
    const data = (d: string) => treeState(d, (rel) => rel === '.tidemark' || rel.startsWith('.tidemark/'));
    const beforeBad = await data(dirs.bad!);
    const lines: string[] = [];
    const summary = await fleetUp(root, {
      plugin: fleetTestPlugin(),
      concurrency: 2,
      redis: await redisCommander(redis),
      onReport: (r) => lines.push(r.status),
    });
    const by = Object.fromEntries(summary.reports.map((r) => [r.run, r]));
    expect(by[ids.ok]!.status).toBe('migrated');
    expect(by[ids.ok]!.archiveBefore).toMatch(
      new RegExp(`^archives/${ids.ok}\\.pre_migration\\.\\d{8}T\\d{6}Z\\.zip$`),
    );
    expect(by[ids.old]!.status).toBe('migrated');
    expect(by[`${ids.ok}/_pups/omni/scenarios/burned`]!.status).toBe('migrated'); // baselined: no trait found
    expect([by[ids.ro]!.status, by[ids.ro]!.reason]).toEqual(['failed', 'READONLY']);
    expect([by[ids.locked]!.status, by[ids.locked]!.reason]).toEqual(['failed', 'NODB_LOCKED']);
    expect(by[ids.locked]!.error).toMatch(/ron\.nodb \(held by web-7:99\)/);
    expect([by[ids.bad]!.status, by[ids.bad]!.reason, by[ids.bad]!.restored]).toEqual(['failed', 'STEP_FAILED', true]);
    expect(summary.counts).toMatchObject({ migrated: 3, failed: 3 });
    // byte for byte: refused runs entirely (not even a lock file), the failed run's data and archives/
    expect(await whole(dirs.ro!)).toEqual(beforeRo);
    expect(await whole(dirs.locked!)).toEqual(beforeLocked);
    expect(await data(dirs.bad!)).toEqual(beforeBad);
    // second pass: nothing left to do on the migrated runs
    const again = await fleetUp(root, { plugin: fleetTestPlugin(), concurrency: 2 });
    const by2 = Object.fromEntries(again.reports.map((r) => [r.run, r.status]));
    expect([by2[ids.ok], by2[ids.old]]).toEqual(['unchanged', 'unchanged']);
  });

  it('CLI scan: table, --json, and the real one-line-per-run log format; changes nothing', async () => {
    const whole = await treeState(root, () => false);
    const table = io();
    expect(await runFleetCli(['scan', root], table.io)).toBe(0);
    expect(table.text().stdout).toMatch(/^RUN\s+VERSION\s+STATUS\s+TRAITS\s+PENDING\s+NOTE/);
    expect(table.text().stdout).toMatch(
      new RegExp(`${ids.ok}\\s+0\\s+dry-run\\s+watershed-csv,geojson-string-ids\\s+2`),
    );
    expect(table.text().stdout).toMatch(new RegExp(`${ids.ro}.*READONLY`));
    const json = io();
    await runFleetCli(['scan', root, '--json'], json.io);
    const parsed = JSON.parse(json.text().stdout) as {
      runs: { run: string; fromVersion: number; traits: { id: string }[] }[];
    };
    expect(parsed.runs.find((r) => r.run === ids.old)!.traits.map((t) => t.id)).toEqual([
      'watershed-csv',
      'geojson-string-ids',
    ]);
    const log = io();
    await runFleetCli(['scan', '--root', root, '--format', 'log'], log.io);
    const lines = log.text().stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      expect(line).toMatch(
        /^time=\d{4}-\d\d-\d\dT\S+Z run=\S+ status=(migrated|unchanged|dry-run|failed|missing) duration_ms=\d+( \w+=\S+)*/,
      );
    }
    expect(parseLogLine(lines.find((l) => l.includes(`run=${ids.ok} `))!)).toMatchObject({
      status: 'dry-run',
      version: '0',
      traits: 'watershed-csv,geojson-string-ids',
    });
    expect(await treeState(root, () => false)).toEqual(whole);
  });

  it('CLI up --dry-run changes nothing; up writes per-run lines, a summary, and exit code 1 for a real failure', async () => {
    const whole = await treeState(root, () => false);
    const dry = io();
    expect(await runFleetCli(['up', root, '--dry-run', '--concurrency', '2'], dry.io)).toBe(0);
    expect(await treeState(root, () => false)).toEqual(whole);
    expect(dry.text().stderr).toMatch(/6 runs in .* runs\/s\): dry-run 6/);
    const real = io();
    const logFile = join(tmp.path, 'migrations.log');
    expect(
      await runFleetCli(['up', root, '--concurrency', '3', '--log-file', logFile, '--snapshot', 'hardlink'], real.io),
    ).toBe(1);
    expect(real.text().stdout.trim().split('\n')).toHaveLength(6);
    expect(real.text().stderr).toMatch(/failed because: (READONLY 1, STEP_FAILED 1|STEP_FAILED 1, READONLY 1)/);
    expect((await readFile(logFile, 'utf8')).trim().split('\n')).toHaveLength(6);
  });
});

describe('registry (real PostgreSQL)', () => {
  const schema = `tm_reg_${suffix}`;
  let admin: ReturnType<typeof knexFactory>;
  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 2 } });
    await admin.raw('create schema ??', [schema]);
  });
  afterAll(async () => {
    await admin.raw('drop schema ?? cascade', [schema]);
    await admin.destroy();
  });

  it('is created by a knex migration and upserted after each run, provenance included', async () => {
    await writeProvenance(
      { dir: dirs.ok! },
      {
        runid: ids.ok,
        config: 'disturbed9002',
        source_host: 'wepp.cloud',
        pulled_at: '2025-01-02T03:04:05Z',
        original_url: 'https://wepp.cloud/weppcloud/runs/x/disturbed9002/',
        owner_email: 'a@b.c',
        version_at_pull: 0,
      },
    );
    const registry = await openRegistry({ knex: admin, schema });
    await registry.migrate();
    await registry.migrate(); // idempotent
    const columns = Object.keys(await admin(registry.table).withSchema(schema).columnInfo()).sort();
    expect(columns).toEqual(
      [
        'archive_after',
        'archive_before',
        'config',
        'created_at',
        'id',
        'is_fixture',
        'last_migration_version',
        'last_status',
        'local_path',
        'original_url',
        'owner_email',
        'pulled_at',
        'runid',
        'source_host',
        'traits_detected',
        'updated_at',
        'version_at_pull',
      ].sort(),
    );
    await fleetUp(root, { plugin: fleetTestPlugin(), registry, contains: suffix });
    const ok = (await registry.get(ids.ok, 'disturbed9002'))!;
    expect(ok).toMatchObject({
      source_host: 'wepp.cloud',
      owner_email: 'a@b.c',
      version_at_pull: 0,
      last_status: 'migrated',
      last_migration_version: 1002,
      is_fixture: false,
    });
    expect(ok.archive_before).toMatch(/^archives\/.*pre_migration/);
    expect((ok.traits_detected as { id: string }[]).map((t) => t.id)).toEqual(['watershed-csv', 'geojson-string-ids']);
    const bad = (await registry.get(ids.bad, 'disturbed9002'))!;
    expect(bad.last_status).toBe('failed:STEP_FAILED');
    const ro = (await registry.get(ids.ro, 'disturbed9002'))!;
    expect(ro.last_status).toBe('failed:READONLY');
    // a _pups child has its own row under its parent-qualified name (not its bare folder name, which two
    // parents' pups could share)
    const pup = (await registry.get(`${ids.ok}/_pups/omni/scenarios/burned`, 'disturbed9002'))!;
    expect(pup).toMatchObject({ last_status: 'migrated', local_path: dirs.pup });
    expect(await registry.get('burned', 'disturbed9002')).toBeUndefined();
    // a second pass updates in place (same id, newer updated_at, provenance kept)
    await fleetUp(root, { plugin: fleetTestPlugin(), registry, contains: ids.ok });
    const again = (await registry.get(ids.ok, 'disturbed9002'))!;
    expect(again.id).toBe(ok.id);
    expect(again.last_status).toBe('unchanged');
    expect(again.source_host).toBe('wepp.cloud');
    expect(again.updated_at.getTime()).toBeGreaterThanOrEqual(ok.updated_at.getTime());
    await registry.close();
  });
});
