// `tidemark rehearse` on telemetry: core's runner.rehearse() through the plugin's rehearse() hook (before it
// the command exited 6, "cannot rehearse"). The plan runs in a transaction that is rolled back.
import { createRunner } from '@tidemark/core';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { telemetryPlugin } from '@tidemark/plugin-telemetry';
import { useLegacyTarget } from './test/legacy-target.js';
import { loggerCsv } from './demo/sample-data.js';

describe('the rehearse() hook (PostgreSQL)', () => {
  const legacy = useLegacyTarget({ '2024-05-01_080000.csv': loggerCsv(3), '2024-05-02_090000.csv': loggerCsv(2) });
  const publicTables = async () =>
    Number((await legacy.knex.raw(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n);

  it('applies the whole plan in one transaction that is rolled back: rows per table, the validators, nothing left behind', async () => {
    const plugin = telemetryPlugin({ timezone: 'UTC' });
    const report = await createRunner({ plugin, target: legacy.target }).rehearse();
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe('ok');
    expect(report.applied).toEqual(['001_schema', '002_config_profiles', '003_ingest_logs']);
    const byTable = new Map(report.diff.changes.map((c) => [c.path, c]));
    expect(byTable.get('run_samples')).toMatchObject({
      kind: 'added',
      detail: 'table created; 5 inserted, 0 updated, 0 deleted',
    });
    expect(byTable.get('ingested_files')?.detail).toMatch(/^table created; 2 inserted/);
    expect(byTable.get('config_profiles')?.detail).toMatch(/^table created; 1 inserted/);
    expect(byTable.get('validators')?.detail).toBe('validators pass');
    expect(report.diff.summary).toContain('(rolled back)');
    // Rolled back: no table (not even the ledger), no backup tarball.
    expect(await publicTables()).toBe(0);
    expect(existsSync(legacy.target.backupDir)).toBe(false);

    // The real run then does what the rehearsal said.
    const result = await createRunner({ plugin, target: legacy.target }).up();
    expect(result.applied).toEqual(report.applied);
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '5' }]);
  });

  it('a step the database refuses fails the rehearsal with its reason; the target and its ledger stay as they were', async () => {
    const plugin = telemetryPlugin({ timezone: 'UTC', backup: false, closedAfterMs: 0 });
    await createRunner({ plugin, target: legacy.target }).up();
    await legacy.knex.raw(
      `CREATE FUNCTION tm_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the rehearsal test'; END $$ LANGUAGE plpgsql`,
    );
    await legacy.knex.raw(
      'CREATE TRIGGER tm_refuse BEFORE INSERT ON ingested_files FOR EACH ROW EXECUTE FUNCTION tm_refuse()',
    );
    await writeFile(`${legacy.target.logsDir}/2024-05-03_100000.csv`, loggerCsv(2));
    const ledger = await legacy.knex('tidemark_telemetry_ledger').orderBy('id').select('*');
    const report = await createRunner({ plugin, target: legacy.target }).rehearse({ repairDrift: true });
    expect(report.outcome).toBe('failed');
    expect(report.error).toContain('refused by the rehearsal test');
    expect(await legacy.knex('tidemark_telemetry_ledger').orderBy('id').select('*')).toEqual(ledger);
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '5' }]);
  });
});
