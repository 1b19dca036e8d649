import { createRunner } from '@tidemark/core';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { telemetryPlugin, type TelemetryTarget } from '@tidemark/plugin-telemetry';
import { useLegacyTarget } from './test/legacy-target.js';
import { loggerCsv } from './demo/sample-data.js';

describe('preflight: the paths must exist (PostgreSQL)', () => {
  const legacy = useLegacyTarget({ 'a.csv': loggerCsv(3) });
  const tables = async () =>
    (await legacy.knex.raw(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n as number;

  it.each([
    [
      'logsDir',
      (t: TelemetryTarget) => ({ ...t, logsDir: `${t.logsDir}-typo` }),
      /logsDir ".*logs-typo" does not exist/,
    ],
    [
      'configPath',
      (t: TelemetryTarget) => ({ ...t, configPath: `${t.configPath}.typo` }),
      /configPath ".*config\.json\.typo" does not exist/,
    ],
  ])(
    'a missing %s is refused with nothing recorded; with the path fixed the history is ingested',
    async (_, wrong, message) => {
      for (const prechecks of [undefined, false] as const) {
        const plugin = telemetryPlugin(prechecks === false ? { prechecks: false } : {});
        const error = await createRunner({ plugin, target: wrong(legacy.target) })
          .up()
          .then(
            () => null,
            (e: Error) => e,
          );
        expect(error?.message).toMatch(/refusing to run, nothing was recorded/);
        expect(error?.message).toMatch(message);
        expect(await tables()).toBe(0); // not even the ledger
      }
      const result = await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).up();
      expect(result.applied).toContain('003_ingest_logs');
      expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '3' }]);
    },
  );

  it('a logsDir that is a file is refused', async () => {
    const error = await createRunner({
      plugin: telemetryPlugin(),
      target: { ...legacy.target, logsDir: legacy.target.configPath },
    })
      .up()
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(/logsDir ".*config\.json" is not a folder/);
  });

  it('an existing empty logs folder is still a baseline, and files that appear later are ingested as drift', async () => {
    await rename(legacy.target.logsDir, `${legacy.target.logsDir}-aside`);
    await mkdir(legacy.target.logsDir);
    const first = await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).up();
    expect(first.outcome).not.toBe('failed');
    await rm(legacy.target.logsDir, { recursive: true });
    await rename(`${legacy.target.logsDir}-aside`, legacy.target.logsDir);
    await writeFile(join(legacy.target.logsDir, 'b.csv'), loggerCsv(2));
    await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).up({ repairDrift: true });
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '5' }]);
  });
});
