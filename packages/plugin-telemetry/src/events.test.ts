import { createRunner } from '@tidemark/core';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordProfileApplied, rehearse, telemetryPlugin } from '@tidemark/plugin-telemetry';
import { useLegacyTarget } from './test/legacy-target.js';
import { loggerCsv, loggerRow } from './demo/sample-data.js';

const EVENTS =
  'Timestamp,Level,Message,Zone,Value\n2024-05-01 08:00:01,WARNING,Z1 overshoot,z1,250.5\n2024-05-01 08:00:02,error,"sensor T3 lost, retrying",,\nnot a time,INFO,bad row,,\n';

describe('logger events, profiles applied on hardware, rehearsal (PostgreSQL)', () => {
  const legacy = useLegacyTarget({ '2024-05-01_080000.csv': loggerCsv(3), '2024-05-01_080000_events.csv': EVENTS });
  const events = () =>
    legacy
      .knex('logger_events')
      .orderBy('line_no')
      .select('line_no', 'recorded_at', 'level', 'message', 'data', 'run_id');

  it('ingests an events CSV into logger_events (extras as JSON), rejects bad lines, and only new lines once it grows', async () => {
    const plugin = telemetryPlugin({ backup: false });
    await createRunner({ plugin, target: legacy.target }).up();
    expect(await events()).toEqual([
      {
        line_no: 2,
        recorded_at: new Date('2024-05-01T08:00:01Z'),
        level: 'warning',
        message: 'Z1 overshoot',
        data: { Zone: 'z1', Value: 250.5 },
        run_id: null,
      },
      {
        line_no: 3,
        recorded_at: new Date('2024-05-01T08:00:02Z'),
        level: 'error',
        message: 'sensor T3 lost, retrying',
        data: null,
        run_id: null,
      },
    ]);
    expect(await legacy.knex('rejected_rows').select('file', 'line_no', 'reason')).toEqual([
      { file: '2024-05-01_080000_events.csv', line_no: 4, reason: expect.stringContaining('unparsable timestamp') },
    ]);
    const [file] = await legacy
      .knex('ingested_files')
      .where({ path: '2024-05-01_080000_events.csv' })
      .select('kind', 'data_lines', 'inserted', 'rejected', 'run_id');
    expect(file).toEqual({ kind: 'events', data_lines: 3, inserted: 2, rejected: 1, run_id: null });
    expect(await legacy.knex('runs').count<{ n: string }[]>('* as n')).toEqual([{ n: '1' }]);

    await appendFile(
      join(legacy.target.logsDir, '2024-05-01_080000_events.csv'),
      '2024-05-01 08:00:09,info,run finished,,\n',
    );
    await createRunner({ plugin, target: legacy.target }).up({ repairDrift: true });
    expect((await events()).map((e) => [e.line_no, e.message])).toEqual([
      [2, 'Z1 overshoot'],
      [3, 'sensor T3 lost, retrying'],
      [5, 'run finished'],
    ]);
    expect((await createRunner({ plugin, target: legacy.target }).verify()).ok).toBe(true);
  });

  it('recordProfileApplied: a new version only for new content, an applied event every time, and a clear error for bad input', async () => {
    await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target }).up();
    const imported = await legacy.knex('config_profiles').first('id', 'profile_name', 'config');
    const again = await recordProfileApplied(
      legacy.knex,
      { name: imported.profile_name, config: imported.config },
      'operator:ann',
    );
    expect(again).toMatchObject({ profileId: imported.id, version: 1, created: false });
    const tuned = await recordProfileApplied(
      legacy.knex,
      { name: imported.profile_name, config: { ...imported.config, pid: { z1: { kp: 13 } } } },
      'operator:bob',
      { note: 'Z1 retune' },
    );
    expect(tuned).toMatchObject({ version: 2, created: true });
    const byId = await recordProfileApplied(legacy.knex, { id: imported.id }, 'rollback-script');
    expect(byId).toMatchObject({ profileId: imported.id, version: 1, created: false });
    const applied = await legacy.knex('config_applied_events').orderBy('id').select('profile_id', 'applied_by', 'note');
    expect(applied.map((a) => a.applied_by)).toEqual([
      'tidemark-import',
      'operator:ann',
      'operator:bob',
      'rollback-script',
    ]);
    expect(applied[2]).toMatchObject({ profile_id: tuned.profileId, note: 'Z1 retune' });
    await expect(recordProfileApplied(legacy.knex, { id: 999_999 }, 'x')).rejects.toThrow(
      /recordProfileApplied: no config_profiles row with id 999999/,
    );
    await expect(recordProfileApplied(legacy.knex, { id: imported.id }, ' ')).rejects.toThrow(/`by`/);
  });

  it('rehearse() reports inserted and rejected per file from the real tables, and leaves nothing behind', async () => {
    const before = await rehearse(legacy.target);
    expect(before).toMatchObject({ ok: true, rolledBack: true, schemaCreated: true, config: { newVersion: true } });
    expect(before.files).toEqual([
      { file: '2024-05-01_080000.csv', plan: 'new', dataLines: 3, inserted: 3, rejected: 0, rejects: [] },
      {
        file: '2024-05-01_080000_events.csv',
        plan: 'new',
        dataLines: 3,
        inserted: 2,
        rejected: 1,
        rejects: [{ line: 4, reason: expect.stringContaining('unparsable timestamp') }],
      },
    ]);
    expect(
      (await legacy.knex.raw(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n,
    ).toBe(0);

    await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target }).up();
    await appendFile(join(legacy.target.logsDir, '2024-05-01_080000.csv'), `${loggerRow(3)}\r\nbad,line\r\n`);
    const grown = await rehearse(legacy.target);
    expect(grown.files[0]).toMatchObject({
      plan: 'grow',
      dataLines: 2,
      inserted: 1,
      rejected: 1,
      rejects: [{ line: 6, reason: expect.stringContaining('wrong field count') }],
    });
    expect(grown.totals).toMatchObject({ inserted: 1, rejected: 1 });
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '3' }]);
  });
});
