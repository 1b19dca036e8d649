import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/core';
import { exitCodeFor, runCli, sheetsLedger } from './index.js';
import { gridOf, newTarget, seedSheet, startEmulator, testAuth } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

let cwd = '';
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'sheets-cli-cwd-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function cli(args: string[], auth: object | undefined = testAuth(), dir = cwd) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    cwd: dir,
    clock: () => new Date('2026-01-26T12:00:00Z'),
    ...(auth ? { auth } : {}),
  });
  return { code, json: out ? JSON.parse(out) : undefined, err };
}

describe('tidemark-sheets command', () => {
  it('migrate --dry-run, migrate, verify (JSON report, exit 0), status, rollback', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(4), columnCount: 65, rowCount: 6 }]);
    const dry = await cli(['migrate', '--spreadsheet', id, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.json.outcome).toBe('dry-run');
    const run = await cli(['migrate', '--spreadsheet', id]);
    expect(run.code).toBe(0);
    expect(run.json.applied).toHaveLength(5);
    // 15, plus the 3 reads of core's lock-free plan that tells a start with work from a no-op one
    expect(run.json.requests.requests).toBeLessThanOrEqual(18);
    expect(run.err).toContain('[004_initialize_versions] version = 0 written to 4 rows in 1 request(s)');
    const verify = await cli(['verify', '--spreadsheet', id]);
    expect(verify.code).toBe(0);
    expect(Object.values(verify.json.checks).every((c) => (c as { passed: boolean }).passed)).toBe(true);
    const status = await cli(['status', '--spreadsheet', id]);
    expect(status.json.entries.map((e: { id: string }) => e.id)).toHaveLength(5);
    const back = await cli(['rollback', '--spreadsheet', id, '--mode', 'backup']);
    expect(back.code).toBe(0);
    expect(back.json.reverted).toHaveLength(5);
  });

  it('verify on a v2.1 sheet not yet migrated exits 5 (pending, as the tidemark CLI) and says which checks', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(2), columnCount: 65, rowCount: 4 }]);
    const verify = await cli(['verify', '--spreadsheet', id]);
    expect(verify.code).toBe(5);
    expect(verify.json.checks.column_count).toMatchObject({ expected: 68, actual: 65, passed: false });
  });

  it('a service-account key file; bad input exits 1 with the error in JSON; bad usage exits 2', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const dir = await mkdtemp(join(tmpdir(), 'sheets-cli-'));
    try {
      const keyFile = join(dir, 'sa.json');
      await writeFile(
        keyFile,
        JSON.stringify({
          type: 'service_account',
          client_email: 'ops@zeues.iam.gserviceaccount.com',
          private_key: privateKey,
        }),
      );
      const id = seedSheet(emulator, [{ title: 'Operaciones', values: [['TAG_SPOOL']], columnCount: 65, rowCount: 4 }]);
      const bad = await cli(['migrate', '--spreadsheet', id, '--key-file', keyFile], undefined);
      expect(bad.code).toBe(1);
      expect(bad.json.error).toMatch(/does not have the v2\.1 layout; nothing was written/);
      expect(bad.json.error).not.toContain('PRIVATE KEY');
      expect((await cli(['migrate'])).code).toBe(2);
      expect((await cli(['explode', '--spreadsheet', id])).code).toBe(2);
      expect((await cli(['rollback', '--spreadsheet', id, '--mode', 'everything'])).code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exit codes are the tidemark CLI ones: a rollback outside the window is 6 (not supported), a held lock 3', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(2), columnCount: 65, rowCount: 4 }]);
    expect((await cli(['migrate', '--spreadsheet', id])).code).toBe(0);
    const late = await runCli(['rollback', '--spreadsheet', id], {
      out: () => {},
      err: () => {},
      cwd,
      auth: testAuth(),
      clock: () => new Date(Date.now() + 30 * 86_400_000),
    });
    expect(late).toBe(6);
    expect(exitCodeFor(new TidemarkError('LOCK_TIMEOUT', 'held'))).toBe(3);
    expect(
      exitCodeFor(new TidemarkError('STEP_FAILED', 'x', { cause: new TidemarkError('NOT_SUPPORTED', 'window') })),
    ).toBe(6);
    expect(exitCodeFor(new TidemarkError('UNKNOWN_MIGRATION', 'x'))).toBe(2);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });

  it('migration_config.json is read (sheet id, window, steps); a bad one is a usage error naming the field', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(3), columnCount: 65, rowCount: 5 }]);
    const dir = await mkdtemp(join(tmpdir(), 'sheets-cli-config-'));
    try {
      const config = {
        production_sheet_id: id,
        backup_folder_id: null,
        migration_steps: ['create_backup', 'add_v3_columns', 'verify_schema', 'initialize_versions', 'test_smoke'],
        rollback_window_days: 7,
        dry_run: true,
        log_level: 'INFO',
      };
      await writeFile(join(dir, 'migration_config.json'), JSON.stringify(config));
      const dry = await cli(['migrate'], testAuth(), dir);
      expect(dry.code).toBe(0);
      expect(dry.json.outcome).toBe('dry-run');
      await writeFile(
        join(dir, 'migration_config.json'),
        JSON.stringify({ ...config, migration_steps: ['create_backup', 'drop_everything'] }),
      );
      const bad = await cli(['migrate'], testAuth(), dir);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/migration_config\.json: migration_steps must be/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a run writes the coordinator's log file and report file", async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(3), columnCount: 65, rowCount: 5 }]);
    const run = await cli(['migrate', '--spreadsheet', id, '--log-dir', 'run-logs']);
    expect(run.code).toBe(0);
    expect(run.json.logFile).toBe(join(cwd, 'run-logs', 'migration_20260126_120000.log'));
    const log = await readFile(run.json.logFile, 'utf8');
    expect(log).toMatch(/INFO step:finished 001_create_backup/);
    expect(log).toMatch(/INFO step:finished 005_smoke_checks/);
    const report = await readFile(run.json.reportFile, 'utf8');
    expect(report).toContain('status: SUCCESS (exit code 0)');
    expect(report).toContain(
      'applied: 001_create_backup, 002_add_v3_columns, 003_verify_schema, 004_initialize_versions, 005_smoke_checks',
    );
  });

  it('--legacy-headers <file> checks the names; --check-eligibility reports JSON with an exit code', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(3), columnCount: 65, rowCount: 5 }]);
    const wrong = join(cwd, 'headers.txt');
    await writeFile(wrong, ['TAG_SPOOL', 'Cliente_X'].join('\n'));
    const refused = await cli(['migrate', '--spreadsheet', id, '--legacy-headers', wrong]);
    expect(refused.code).toBe(1);
    expect(refused.json.error).toMatch(/column B: expected header "Cliente_X", found "NV"/);
    const writes = emulator.writes().length;
    const eligible = await cli(['migrate', '--spreadsheet', id, '--check-eligibility']);
    expect(eligible.code).toBe(0);
    expect(Object.keys(eligible.json.checks).sort()).toEqual([
      'access',
      'backup_possible',
      'layout',
      'quota',
      'sheet_size',
      'window',
    ]);
    expect(eligible.json.checks.sheet_size).toMatchObject({ cells: 325, cellsAfter: 340, passed: true });
    const notYet = await cli(['rollback', '--spreadsheet', id, '--check-eligibility']);
    expect(notYet.code).toBe(1);
    expect(notYet.json.checks.window).toMatchObject({
      passed: false,
      reason: 'nothing applied: no migration to roll back',
    });
    expect(emulator.writes().length).toBe(writes);
  });

  it('rollback --backup-id restores from that Drive backup (checked to be one of this spreadsheet) and keeps it', async () => {
    const values = v21Values(3);
    const id = seedSheet(emulator, [{ title: 'Operaciones', values, columnCount: 65, rowCount: 5 }]);
    const run = await cli(['migrate', '--spreadsheet', id]);
    const backupId = run.json.report
      ? ((await sheetsLedger(newTarget(id)).read()).find((e) => e.id === '001_create_backup')?.data?.backupId as string)
      : '';
    const other = seedSheet(emulator, [{ title: 'Operaciones', values, columnCount: 65, rowCount: 5 }]);
    const wrong = await cli(['rollback', '--spreadsheet', id, '--backup-id', other]);
    expect(wrong.code).toBe(1);
    expect(wrong.json.error).toMatch(/is not a backup of/);
    const back = await cli(['rollback', '--spreadsheet', id, '--backup-id', backupId]);
    expect(back.code).toBe(0);
    expect(back.json.reverted).toHaveLength(5);
    expect(gridOf(emulator, id).values).toEqual(values);
    expect(emulator.model.files.get(backupId)).toBeDefined();
  });
});
