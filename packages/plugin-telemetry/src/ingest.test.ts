import { createRunner } from '@tidemark/core';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { telemetryPlugin, type TelemetryPluginOptions } from '@tidemark/plugin-telemetry';
import { useLegacyTarget } from './test/legacy-target.js';
import { UGLY_EXPECTED, UGLY_FILES } from './demo/ugly.js';
import { withInternalHooks } from './internal-hooks.js';

describe('ingestion on PostgreSQL', () => {
  const legacy = useLegacyTarget(UGLY_FILES);

  it('ingests ugly CSVs: NULLs for non-numeric cells, malformed rows kept with line and reason', async () => {
    // closedAfterMs: 0 = a history no logger writes any more (the cut last line is rejected, not held back).
    const runner = createRunner({ plugin: telemetryPlugin({ closedAfterMs: 0 }), target: legacy.target });
    const result = await runner.up();
    expect(result.applied).toEqual(['001_schema', '002_config_profiles', '003_ingest_logs']);

    const files = await legacy
      .knex('ingested_files')
      .orderBy('path')
      .select('path', 'data_lines', 'inserted', 'rejected', 'blank_lines', 'unmapped_columns');
    expect(files).toHaveLength(UGLY_EXPECTED.files);
    expect(files.reduce((n, f) => n + f.inserted, 0)).toBe(UGLY_EXPECTED.inserted);
    expect(files.reduce((n, f) => n + f.rejected, 0)).toBe(UGLY_EXPECTED.rejected);
    for (const f of files) expect(f.data_lines).toBe(f.inserted + f.rejected);
    const old = files.find((f) => f.path === 'old/2023-11-02.csv')!;
    expect(old.unmapped_columns).toEqual(['Operator']);
    expect(old.blank_lines).toBe(1);

    const rejected = await legacy.knex('rejected_rows').orderBy('line_no').select('file', 'line_no', 'raw', 'reason');
    expect(rejected.map((r) => r.line_no)).toEqual([3, 4, 5, 6, 8]);
    expect(rejected.map((r) => r.reason)).toEqual(UGLY_EXPECTED.reasons.map((r) => expect.stringContaining(r)));
    expect(rejected[2].raw).toBe('2024-06-01 12:00:03,"180.4,195.4,210.4,45.4,200,215,40,35,30,10');
    expect(rejected.every((r) => r.file === 'ugly.csv')).toBe(true);

    const oldSamples = await legacy
      .knex('run_samples as s')
      .join('runs as r', 'r.id', 's.run_id')
      .where('r.source_file', 'old/2023-11-02.csv')
      .orderBy('s.line_no')
      .select('s.*');
    expect(oldSamples.map((s) => s.line_no)).toEqual([2, 3, 5]);
    expect(oldSamples[0]).toMatchObject({
      t1_feed: 180.3,
      t2_mid: 195.2,
      t3_nozzle: 210.1,
      t_motor: null,
      rpm_main: 30.5,
      rpm_feed: null,
      pwr_z1_pct: 40,
    });
    expect(oldSamples[1]).toMatchObject({ rpm_main: null, t2_mid: null, t1_feed: 180.4 });
    expect(oldSamples[2]).toMatchObject({ t1_feed: null, rpm_main: 31 });
    expect(new Date(oldSamples[0].recorded_at).toISOString()).toBe('2023-11-02T10:00:00.000Z');

    const ugly = await legacy
      .knex('run_samples as s')
      .join('runs as r', 'r.id', 's.run_id')
      .where('r.source_file', 'ugly.csv')
      .orderBy('s.line_no')
      .select('s.*', 'r.status');
    expect(ugly.map((s) => s.line_no)).toEqual([2, 7]);
    expect(ugly[1]).toMatchObject({ t1_feed: null, t2_mid: null, t3_nozzle: 210.6, status: 'imported-with-rejects' });

    const empty = await legacy.knex('runs').where({ source_file: 'empty-run.csv' }).first();
    expect(empty).toMatchObject({ status: 'empty', started_at: null });

    const verify = await runner.verify();
    expect(verify.ok).toBe(true);
  });

  it('is exactly once: a rerun plans nothing, and a copied file is not ingested twice', async () => {
    const plugin = telemetryPlugin();
    await createRunner({ plugin, target: legacy.target }).up();
    const count = async () =>
      Number((await legacy.knex('run_samples').count<{ count: string }[]>('* as count'))[0]!.count);
    const before = await count();
    await copyFile(join(legacy.target.logsDir, 'ugly.csv'), join(legacy.target.logsDir, 'ugly-copy.csv'));
    const again = await createRunner({ plugin, target: legacy.target }).up();
    expect(again.outcome).toBe('nothing-to-do');
    expect(await count()).toBe(before);
  });

  it("commit: 'step' (default): a crash inside any file leaves nothing of the whole ingest; the rerun completes", async () => {
    const crashing = telemetryPlugin(
      withInternalHooks(
        {},
        {
          beforeFileCommit: (file) => {
            if (file === 'old/2023-11-02.csv') throw new Error('power cut');
          },
        },
      ),
    );
    await expect(createRunner({ plugin: crashing, target: legacy.target }).up()).rejects.toThrow(/power cut/);
    expect(await legacy.knex('ingested_files').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);
    expect(await legacy.knex('runs').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);
    // the steps before it stay applied, and the ledger says so
    expect(await legacy.knex('config_profiles').count<{ n: string }[]>('* as n')).toEqual([{ n: '1' }]);
    const ledger = await legacy.knex('tidemark_telemetry_ledger').orderBy('seq').select('id', 'outcome');
    expect(ledger).toEqual([
      { id: '001_schema', outcome: 'applied' },
      { id: '002_config_profiles', outcome: 'applied' },
      { id: '003_ingest_logs', outcome: 'failed' },
    ]);
    const result = await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).up();
    expect(result.applied).toEqual(['003_ingest_logs']);
    const total = Number((await legacy.knex('run_samples').count<{ count: string }[]>('* as count'))[0]!.count);
    expect(total).toBe(UGLY_EXPECTED.inserted);
  });

  it('the crash hook is not a public option: set as one, it is never called', async () => {
    const asOption = {
      beforeFileCommit: () => {
        throw new Error('power cut');
      },
    } as TelemetryPluginOptions;
    const result = await createRunner({ plugin: telemetryPlugin(asOption), target: legacy.target }).up();
    expect(result.applied).toContain('003_ingest_logs');
  });

  it("commit: 'file': a crash inside a file leaves nothing of that file; the rerun resumes and never duplicates", async () => {
    let calls = 0;
    const crashing = telemetryPlugin(
      withInternalHooks(
        { commit: 'file' },
        {
          beforeFileCommit: (file) => {
            calls += 1;
            if (file === 'old/2023-11-02.csv') throw new Error('power cut');
          },
        },
      ),
    );
    await expect(createRunner({ plugin: crashing, target: legacy.target }).up()).rejects.toThrow(/power cut/);
    const partial = await legacy.knex('ingested_files').orderBy('path').pluck('path');
    expect(partial).toEqual(['2024-05-01_080000.csv', 'empty-run.csv']);
    expect(await legacy.knex('runs').where({ source_file: 'old/2023-11-02.csv' }).first()).toBeUndefined();
    expect(calls).toBe(3);

    const result = await createRunner({ plugin: telemetryPlugin({ commit: 'file' }), target: legacy.target }).up();
    expect(result.applied).toEqual(['003_ingest_logs']);
    const files = await legacy.knex('ingested_files').orderBy('path').select('path', 'inserted');
    expect(files.map((f) => f.path)).toEqual([
      '2024-05-01_080000.csv',
      'empty-run.csv',
      'old/2023-11-02.csv',
      'ugly.csv',
    ]);
    const total = Number((await legacy.knex('run_samples').count<{ count: string }[]>('* as count'))[0]!.count);
    expect(total).toBe(UGLY_EXPECTED.inserted);
  });

  it('a first load builds the keys after the COPY: same constraints in the end, and a crash leaves them as they were', async () => {
    const shape = async () =>
      (
        await legacy.knex.raw(
          `SELECT conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = 'run_samples'::regclass UNION ALL SELECT indexdef FROM pg_indexes WHERE tablename = 'run_samples' ORDER BY 1`,
        )
      ).rows.map((r: { d: string }) => r.d);
    const crashing = telemetryPlugin(
      withInternalHooks(
        { firstLoadBytes: 0 },
        {
          beforeFileCommit: () => {
            throw new Error('power cut');
          },
        },
      ),
    );
    await expect(createRunner({ plugin: crashing, target: legacy.target }).up()).rejects.toThrow(/power cut/);
    const before = await shape();
    expect(before.join('\n')).toMatch(/FOREIGN KEY \(run_id\) REFERENCES runs\(id\) ON DELETE CASCADE/);
    expect(before.join('\n')).toMatch(/run_samples_run_line_idx/);
    await createRunner({
      plugin: telemetryPlugin({ firstLoadBytes: 0, closedAfterMs: 0 }),
      target: legacy.target,
    }).up();
    expect(await shape()).toEqual(before);
    const total = Number((await legacy.knex('run_samples').count<{ count: string }[]>('* as count'))[0]!.count);
    expect(total).toBe(UGLY_EXPECTED.inserted);
    await legacy.knex('runs').where({ source_file: 'ugly.csv' }).delete();
    expect(Number((await legacy.knex('run_samples').count<{ count: string }[]>('* as count'))[0]!.count)).toBe(
      UGLY_EXPECTED.inserted - 2,
    );
  });

  it('down removes everything (tables dropped) and up again gives the same rows', async () => {
    const runner = createRunner({ plugin: telemetryPlugin(), target: legacy.target });
    await runner.up();
    const snapshot = await legacy.knex('run_samples').orderBy('id').select('line_no', 't1_feed', 'recorded_at');
    await runner.down({ to: null });
    for (const t of ['runs', 'run_samples', 'config_profiles', 'ingested_files', 'rejected_rows'])
      expect(await legacy.knex.schema.hasTable(t)).toBe(false);
    await runner.up();
    expect(await legacy.knex('run_samples').orderBy('id').select('line_no', 't1_feed', 'recorded_at')).toEqual(
      snapshot,
    );
  });
});
