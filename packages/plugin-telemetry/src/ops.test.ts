import { createRunner } from '@tidemark/core';
import knexFactory from 'knex';
import { appendFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createTelemetryWriter,
  parityReport,
  runbookReport,
  formatRunbook,
  telemetryPlugin,
} from '@tidemark/plugin-telemetry';
import { createTestDb, tempDir } from './test/pg.js';
import { useLegacyTarget } from './test/legacy-target.js';
import { loggerCsv, writeLegacyFolder } from './demo/sample-data.js';
import { UGLY_FILES } from './demo/ugly.js';
import { withInternalHooks } from './internal-hooks.js';

describe('operations on PostgreSQL', () => {
  const legacy = useLegacyTarget(UGLY_FILES);

  it('a failed pre-check stops the run with a clear message and changes nothing', async () => {
    const runner = createRunner({
      plugin: telemetryPlugin({ prechecks: { minServerVersion: 990000 } }),
      target: legacy.target,
    });
    await expect(runner.up()).rejects.toThrow(/pre-checks failed, nothing was changed[\s\S]*version: PostgreSQL/);
    const tables = await legacy.knex.raw(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.rows[0].n).toBe(0);
    expect(await readdir(legacy.target.backupDir).catch(() => [])).toEqual([]);
  });

  it('report() is the runbook the CLI prints after each run: a failed pre-check, then a completed run', async () => {
    const failing = telemetryPlugin({ prechecks: { minServerVersion: 990000 } });
    await expect(createRunner({ plugin: failing, target: legacy.target }).up()).rejects.toThrow(/pre-checks failed/);
    const after = await failing.report(legacy.target);
    expect(after.data.items[0]).toMatchObject({ status: 'failed', detail: expect.stringContaining('version') });
    expect(after.text).toMatch(/Pre-checks/);

    const plugin = telemetryPlugin();
    await createRunner({ plugin, target: legacy.target }).up();
    const done = await plugin.report(legacy.target);
    expect(done.text).toMatch(/\[x\] +Schema applied/);
    expect(done.data.ok).toBe(true);
    expect(done.data.items.find((i) => i.item.startsWith('Dual-write'))?.status).toBe('pending');
    expect(JSON.parse(JSON.stringify(done.data)).items).toHaveLength(7);
  });

  it('an unreachable database fails the pre-check naming it, without the password', async () => {
    const bad = knexFactory({
      client: 'pg',
      connection: 'postgres://postgres:s3cret@127.0.0.1:1/nope',
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 2000,
    });
    try {
      const runner = createRunner({
        plugin: telemetryPlugin(),
        target: { ...legacy.target, knex: bad },
        lock: { waitMs: 100 },
      });
      const error = await runner.up().then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/ECONNREFUSED|connect/);
      expect(error?.message).not.toContain('s3cret');
    } finally {
      await bad.destroy();
    }
  });

  it('makes a timestamped tarball of config.json and logs/ before ingesting, and the runbook lists it', async () => {
    const runner = createRunner({ plugin: telemetryPlugin(), target: legacy.target });
    await runner.up();
    const tarballs = (await readdir(legacy.target.backupDir)).filter((n) =>
      /^telemetry-backup-\d{8}T\d{6}\.\d{3}Z\.tar\.gz$/.test(n),
    );
    expect(tarballs).toHaveLength(1);
    const report = await runbookReport(legacy.target, { dualWrite: { mirrorEnabled: false } });
    expect(report.backup?.entries).toBe(1 + Object.keys(UGLY_FILES).length);
    const byItem = Object.fromEntries(report.items.map((i) => [i.item.split(' (')[0], i.status]));
    expect(byItem).toMatchObject({
      'Schema applied': 'done',
      'Ingestion completed and validated': 'warn',
      Parity: 'done',
      'Dual-write enabled behind feature flag': 'pending',
    });
    expect(formatRunbook(report)).toMatch(/\[x\] +Schema applied/);
    expect(JSON.parse(JSON.stringify(report)).items).toHaveLength(7);
  });

  it('parity finds a CSV that changed after ingestion and a database row that was altered', async () => {
    await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).up();
    expect((await parityReport(legacy.target)).ok).toBe(true);
    const run = await legacy.knex('runs').where({ source_file: '2024-05-01_080000.csv' }).first();
    await legacy.knex('run_samples').where({ run_id: run.id, line_no: 6 }).update({ t3_nozzle: 999 });
    const tampered = await parityReport(legacy.target, { files: ['2024-05-01_080000.csv'] });
    expect(tampered.ok).toBe(false);
    expect(tampered.files[0]!.mismatches).toEqual([
      expect.objectContaining({ line: 6, field: 't3_nozzle', db: '999' }),
    ]);
    // a file that grew is compared up to what was ingested; the rest shows as pending bytes
    const line = '2024-05-01 09:00:00,1,2,3,4,5,6,7,8,9,10\r\n';
    await appendFile(join(legacy.target.logsDir, 'empty-run.csv'), line);
    const grown = await parityReport(legacy.target, { files: ['empty-run.csv'] });
    expect(grown.files[0]).toMatchObject({ ok: true, changedSinceIngest: false, gap: 0, pendingBytes: line.length });
    // a rewritten one is a change
    await writeFile(join(legacy.target.logsDir, 'empty-run.csv'), `x${line}`);
    const rewritten = await parityReport(legacy.target, { files: ['empty-run.csv'] });
    expect(rewritten.files[0]).toMatchObject({ ok: false, changedSinceIngest: true });
  });

  it('TelemetryWriter: the CSV never fails when the database is down; drops are bounded, counted and shown by parity', async () => {
    await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).up();
    const down = knexFactory({
      client: 'pg',
      connection: 'postgres://postgres@127.0.0.1:1/none',
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 500,
    });
    const warnings: string[] = [];
    const csvPath = join(legacy.target.logsDir, 'live-down.csv');
    const writer = createTelemetryWriter({
      csvPath,
      knex: down,
      mirror: true,
      logsDir: legacy.target.logsDir,
      bufferLimit: 3,
      onWarn: (m) => warnings.push(m),
    });
    for (let i = 0; i < 5; i++)
      writer.write({ timestamp: new Date(Date.UTC(2024, 6, 1, 0, 0, i)), t1_feed: 180 + i, rpm_main: 30 });
    await writer.flush();
    const stats = await writer.close();
    await down.destroy();
    expect(stats).toMatchObject({ csvRows: 5, mirrored: 0, dropped: 5 });
    expect(stats.dbErrors).toBeGreaterThanOrEqual(1);
    expect(warnings.some((w) => /dropped/.test(w))).toBe(true);
    expect((await readFile(csvPath, 'utf8')).trim().split('\r\n')).toHaveLength(6);

    const live = join(legacy.target.logsDir, 'live.csv');
    let flag = true;
    const ok = createTelemetryWriter({
      csvPath: live,
      knex: legacy.knex,
      mirror: () => flag,
      logsDir: legacy.target.logsDir,
      bufferLimit: 100,
    });
    for (let i = 0; i < 4; i++)
      ok.write({ timestamp: new Date(Date.UTC(2024, 6, 2, 0, 0, i)), t1_feed: 181.5, t3_nozzle: i === 2 ? null : 210 });
    flag = false; // feature flag off: CSV only
    ok.write({ timestamp: new Date(Date.UTC(2024, 6, 2, 0, 0, 9)), t1_feed: 1 });
    const s = await ok.close();
    expect(s).toMatchObject({ csvRows: 5, mirrored: 4, dropped: 0, mirrorEnabled: false });
    const parity = await parityReport(legacy.target, { files: ['live.csv'] });
    expect(parity.files[0]).toMatchObject({ source: 'dual-write', csvValid: 5, dbSamples: 4, gap: 1, ok: false });
    expect(parity.files[0]!.mismatches).toEqual([expect.objectContaining({ line: 6, field: '(row)', db: null })]);
    // a mirrored file is not ingested a second time by the migration
    const plan = await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).plan();
    expect(plan.drift.map((d) => d.id)).toEqual(['003_ingest_logs']); // live-down.csv only
  });
});

describe('concurrent runners', () => {
  it('several runners at once apply each migration exactly once', async () => {
    const db = await createTestDb({ min: 0, max: 20 });
    const dir = await tempDir();
    try {
      const folder = await writeLegacyFolder(dir.path, {
        'a.csv': loggerCsv(50),
        'b.csv': loggerCsv(70, Date.UTC(2024, 1, 1)),
      });
      let ups = 0;
      const plugin = telemetryPlugin(withInternalHooks({}, { beforeFileCommit: () => void (ups += 1) }));
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          createRunner({ plugin, target: { knex: db.knex, ...folder }, lock: { waitMs: 60_000, ttlMs: 10_000 } }).up(),
        ),
      );
      expect(results.flatMap((r) => r.applied).sort()).toEqual([
        '001_schema',
        '002_config_profiles',
        '003_ingest_logs',
      ]);
      expect(ups).toBe(2);
      expect(Number((await db.knex('run_samples').count('* as n'))[0]!.n)).toBe(120);
      expect(Number((await db.knex('config_profiles').count('* as n'))[0]!.n)).toBe(1);
      await writeFile(folder.configPath, JSON.stringify({ profile_name: 'extruder-default', pid: { z1: { kp: 13 } } }));
      const next = await createRunner({ plugin, target: { knex: db.knex, ...folder } }).up({ repairDrift: true });
      expect(next.applied).toEqual(['002_config_profiles']);
      const versions = await db.knex('config_profiles').orderBy('version').pluck('version');
      expect(versions).toEqual([1, 2]);
      expect(Number((await db.knex('config_applied_events').count('* as n'))[0]!.n)).toBe(2);
    } finally {
      await db.drop();
      await dir.remove();
    }
  });
});
