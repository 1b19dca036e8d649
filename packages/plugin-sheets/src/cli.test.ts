import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './index.js';
import { seedSheet, startEmulator, testAuth } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

async function cli(args: string[], auth: object | undefined = testAuth()) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => void (out += t), err: (t) => void (err += t), ...(auth ? { auth } : {}) });
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
    expect(run.json.requests.requests).toBeLessThanOrEqual(15);
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

  it('verify on a v2.1 sheet fails with exit code 1 and says which checks', async () => {
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(2), columnCount: 65, rowCount: 4 }]);
    const verify = await cli(['verify', '--spreadsheet', id]);
    expect(verify.code).toBe(1);
    expect(verify.json.checks.column_count).toMatchObject({ expected: 68, actual: 65, passed: false });
  });

  it('a service-account key file; bad input exits 1 with the error in JSON; bad usage exits 2', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const dir = await mkdtemp(join(tmpdir(), 'sheets-cli-'));
    try {
      const keyFile = join(dir, 'sa.json');
      await writeFile(keyFile, JSON.stringify({ type: 'service_account', client_email: 'ops@zeues.iam.gserviceaccount.com', private_key: privateKey }));
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
});
