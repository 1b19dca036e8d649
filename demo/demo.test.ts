// The demo is a product surface (the README's first command): each part runs as `node run.mjs <part>` on the
// built packages, and its exit code and final state (the JSON report the demo writes) are checked. The configs
// also type-check against the built typings, which is what a user who copies them compiles against.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const scratch = mkdtempSync(join(tmpdir(), 'tidemark-demo-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface PartResult {
  part: string;
  ok: boolean;
  error?: string;
  applied: number;
  baselined?: number;
  changed: number;
  unit: string;
  state: Record<string, unknown>;
}

function runPart(part: string): { code: number | null; result: PartResult; output: string } {
  const report = join(scratch, `${part}.json`);
  const res = spawnSync(process.execPath, [join(here, 'run.mjs'), part], {
    cwd: here,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TIDEMARK_DEMO_REPORT: report },
    timeout: 580_000,
  });
  if (!existsSync(report))
    throw new Error(
      `node run.mjs ${part} exited ${res.status ?? res.signal} without a report (are the packages built? npm test builds them):\n${res.stdout}\n${res.stderr}`,
    );
  const results = JSON.parse(readFileSync(report, 'utf8')) as PartResult[];
  expect(results.map((r) => r.part)).toEqual([part]);
  return { code: res.status, result: results[0]!, output: `${res.stdout}\n${res.stderr}` };
}

describe('npm run demo', () => {
  it('run-dirs: four runs migrated under zip archives, the READONLY and the corrupt run untouched, verify passes', () => {
    const { code, result, output } = runPart('run-dirs');
    expect(result.error, output).toBeUndefined();
    expect(code).toBe(0);
    expect(result.state).toEqual({
      migrated: ['cd-string-ids', 'op-old-host', 'st-ash', 'wx-everything'],
      untouched: ['rw-readonly', 'zc-corrupt'],
      archives: 4,
    });
    expect(result.applied).toBeGreaterThan(0);
    expect(result.changed).toBeGreaterThan(0);
    expect(output).toContain('is READONLY');
    expect(output).toContain('not a readable parquet file');
  });

  it('telemetry: CSVs and config.json in PGlite, rejected rows kept, drift found by verify and repaired', () => {
    const { code, result, output } = runPart('telemetry');
    expect(result.error, output).toBeUndefined();
    expect(code).toBe(0);
    expect(result.state).toEqual({
      runs: 7,
      run_samples: 1511,
      config_profiles: 1,
      rejected_rows: 5,
      applied: ['001_schema', '002_config_profiles', '003_ingest_logs'],
    });
    expect(output).toMatch(/drift 003_ingest_logs/);
    expect(output).toContain('ugly.csv:');
  });

  it('sheets: rehearse, up, the seven checks, down gives the v2.1 sheet back, over HTTP', () => {
    const { code, result, output } = runPart('sheets');
    expect(result.error, output).toBeUndefined();
    expect(code).toBe(0);
    expect(result.state).toMatchObject({
      applied: [
        '001_create_backup',
        '002_add_v3_columns',
        '003_verify_schema',
        '004_initialize_versions',
        '005_smoke_checks',
      ],
      checks: 7,
      restored: true,
    });
    expect(result.changed).toBeGreaterThan(0);
  });

  it('mongo: the startup hook applies 001 and 002, a second boot is a no-op, down --to 001 reverts 002', () => {
    const { code, result, output } = runPart('mongo');
    expect(result.error, output).toBeUndefined();
    expect(code).toBe(0);
    expect(result.state).toMatchObject({
      afterBoot: ['001_lablet_collections', '002_cml_worker_extensions'],
      afterDown: ['001_lablet_collections'],
    });
    expect(output).toContain('[app] boot: migrated');
    expect(output).toContain('[app] boot: up-to-date');
  });

  it('snapshots: 8 snapshots backfilled and linked, 2 runs of a deleted recipe skipped, down restores the runs', () => {
    const { code, result, output } = runPart('snapshots');
    expect(result.error, output).toBeUndefined();
    expect(code).toBe(0);
    expect(result.state).toEqual({ snapshots: 8, linked: 8, restored: true });
    expect(result.applied).toBe(4);
    expect(output).toContain('DRY RUN - No changes made');
  });

  it('an unknown part is a usage error naming the parts', () => {
    const res = spawnSync(process.execPath, [join(here, 'run.mjs'), 'nope'], { cwd: here, encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('run-dirs, telemetry, sheets, mongo, snapshots');
  });

  it('the configs users copy type-check against the built packages', () => {
    const tsc = join(here, 'node_modules', '.bin', 'tsc');
    const res = spawnSync(tsc, ['-p', join(here, 'tsconfig.dist.json')], { cwd: here, encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });
});
