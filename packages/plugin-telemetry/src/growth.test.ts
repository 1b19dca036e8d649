import { createRunner, type TidemarkEvent } from '@tidemark/core';
import { appendFile, copyFile, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { telemetryPlugin, type TelemetryPluginOptions } from '@tidemark/plugin-telemetry';
import { useLegacyTarget } from './test/legacy-target.js';
import { LOGGER_HEADER, loggerRow } from './demo/sample-data.js';
import { withInternalHooks } from './internal-hooks.js';

const rows = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => `${loggerRow(from + k)}\n`).join('');

describe('files that grow (PostgreSQL)', () => {
  const legacy = useLegacyTarget({ 'live.csv': `${LOGGER_HEADER}\n${rows(0, 3)}${loggerRow(3).slice(0, 20)}` });
  const live = () => join(legacy.target.logsDir, 'live.csv');
  const run = async (options: TelemetryPluginOptions = {}, repairDrift = false) => {
    const events: TidemarkEvent[] = [];
    const result = await createRunner({
      plugin: telemetryPlugin({ backup: false, ...options }),
      target: legacy.target,
      onEvent: (e) => events.push(e),
    }).up({ repairDrift });
    return {
      result,
      events,
      warnings: events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : [])),
    };
  };
  const samples = async (file = 'live.csv') =>
    (
      await legacy
        .knex('run_samples as s')
        .join('runs as r', 'r.id', 's.run_id')
        .where('r.source_file', file)
        .orderBy('s.line_no')
        .select('s.line_no', 's.recorded_at', 's.t1_feed')
    ).map((s) => ({ line: s.line_no as number, at: new Date(s.recorded_at as string).toISOString() }));
  const at = (i: number) => new Date(Date.UTC(2024, 4, 1, 8, 0, 0) + i * 1000).toISOString();

  it('holds back a last line being written, then ingests only the new complete lines into the same run', async () => {
    await run();
    expect(await samples()).toEqual([0, 1, 2].map((i) => ({ line: i + 2, at: at(i) })));
    expect(await legacy.knex('rejected_rows').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);

    // the logger finishes the cut line and writes two more; the trait sees the growth as drift
    await appendFile(live(), `${loggerRow(3).slice(20)}\n${rows(4, 6)}`);
    const plan = await createRunner({ plugin: telemetryPlugin(), target: legacy.target }).plan();
    expect(JSON.stringify(plan)).toMatch(/1 grown/);
    await run({}, true);

    expect(await samples()).toEqual([0, 1, 2, 3, 4, 5].map((i) => ({ line: i + 2, at: at(i) })));
    expect(await legacy.knex('runs').where({ source_file: 'live.csv' }).count<{ n: string }[]>('* as n')).toEqual([
      { n: '1' },
    ]);
    const [file] = await legacy
      .knex('ingested_files')
      .where({ path: 'live.csv' })
      .select('data_lines', 'inserted', 'rejected', 'lines', 'size_bytes', 'conflict');
    expect(file).toMatchObject({ data_lines: 6, inserted: 6, rejected: 0, lines: 7, conflict: null });
    expect(Number(file.size_bytes)).toBe(LOGGER_HEADER.length + 1 + rows(0, 6).length);
    // nothing pending any more: a third run plans nothing
    expect((await run({}, true)).result.outcome).toBe('nothing-to-do');
  });

  it('rejects the cut last line as truncated once the file is closed (not written for closedAfterMs)', async () => {
    await run();
    const old = new Date(Date.now() - 60_000);
    await utimes(live(), old, old);
    await run({ closedAfterMs: 30_000 }, true);
    const rejected = await legacy.knex('rejected_rows').select('line_no', 'reason');
    expect(rejected).toEqual([{ line_no: 5, reason: expect.stringContaining('truncated last line') }]);
    const [file] = await legacy
      .knex('ingested_files')
      .where({ path: 'live.csv' })
      .select('data_lines', 'inserted', 'rejected');
    expect(file).toEqual({ data_lines: 4, inserted: 3, rejected: 1 });
  });

  it('closes a file once a newer file exists in its folder', async () => {
    await run();
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(join(legacy.target.logsDir, 'next.csv'), `${LOGGER_HEADER}\n${rows(10, 12)}`);
    await run({}, true);
    const rejected = await legacy.knex('rejected_rows').select('file', 'line_no', 'reason');
    expect(rejected).toEqual([
      { file: 'live.csv', line_no: 5, reason: expect.stringContaining('truncated last line') },
    ]);
    expect((await samples('next.csv')).map((s) => s.line)).toEqual([2, 3]);
  });

  it('reports a rewritten file as a conflict naming it and never ingests it as a second run', async () => {
    await run();
    await writeFile(live(), `${LOGGER_HEADER}\n${rows(100, 110)}`);
    const { warnings } = await run({}, true);
    expect(warnings).toEqual([expect.stringMatching(/conflict: "live\.csv" rewritten/)]);
    expect(await legacy.knex('runs').count<{ n: string }[]>('* as n')).toEqual([{ n: '1' }]);
    expect((await samples()).length).toBe(3);
    const [file] = await legacy.knex('ingested_files').where({ path: 'live.csv' }).select('conflict');
    expect(file.conflict).toMatch(/^rewritten/);
    // recorded once: a later run neither warns again nor ingests
    const again = await run({}, true);
    expect(again.result.outcome).toBe('nothing-to-do');
  });

  it('a file rewritten in place with the same size and its old mtime, after a plan found it unchanged, is still a conflict', async () => {
    await appendFile(live(), `${loggerRow(3).slice(20)}\n`);
    await run();
    // a whole second, which utimes can set back exactly
    const second = Math.floor(Date.now() / 1000);
    await utimes(live(), second, second);
    // planned again with nothing written: up to date (and remembered as not written since)
    expect((await run({}, true)).result.outcome).toBe('nothing-to-do');
    const before = await stat(live());
    // a digit of the last line changed (within the ingested prefix's last bytes, which a plan in this process checks)
    const text = await readFile(live(), 'utf8');
    let at = text.length - 2;
    while (!/[0-9]/.test(text[at]!)) at--;
    const changed = text.slice(0, at) + (text[at] === '1' ? '2' : '1') + text.slice(at + 1);
    await writeFile(live(), changed);
    await utimes(live(), second, second);
    expect(await stat(live())).toMatchObject({ size: before.size, mtimeMs: before.mtimeMs });
    const { warnings } = await run({}, true);
    expect(warnings).toEqual([expect.stringMatching(/conflict: "live\.csv" rewritten/)]);
    expect((await samples()).length).toBe(4);
  });

  it('reports a truncated file as a conflict', async () => {
    await run();
    await writeFile(live(), `${LOGGER_HEADER}\n`);
    const { warnings } = await run({}, true);
    expect(warnings).toEqual([expect.stringMatching(/conflict: "live\.csv" truncated/)]);
    expect((await samples()).length).toBe(3);
  });

  it('ingests a byte-identical copy under another name once (recorded as a copy, no second run)', async () => {
    await appendFile(live(), `${loggerRow(3).slice(20)}\n`);
    await run();
    await copyFile(live(), join(legacy.target.logsDir, 'live-copy.csv'));
    const { events } = await run({}, true);
    expect(
      events.some(
        (e) => e.type === 'log' && /"live-copy\.csv" is a byte-identical copy of "live\.csv"/.test(e.message),
      ),
    ).toBe(true);
    expect(await legacy.knex('runs').count<{ n: string }[]>('* as n')).toEqual([{ n: '1' }]);
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '4' }]);
  });

  it('a copy next to its original, both new, is ingested once (in either commit mode)', async () => {
    await appendFile(live(), `${loggerRow(3).slice(20)}\n`);
    await copyFile(live(), join(legacy.target.logsDir, 'live-copy.csv'));
    await copyFile(live(), join(legacy.target.logsDir, 'live-copy2.csv'));
    await run({ commit: 'file' });
    expect(await legacy.knex('runs').count<{ n: string }[]>('* as n')).toEqual([{ n: '1' }]);
    expect(await legacy.knex('run_samples').count<{ n: string }[]>('* as n')).toEqual([{ n: '4' }]);
    // one original (the oldest; which one does not matter here), the other two recorded as its copies
    const rows = await legacy
      .knex('ingested_files as f')
      .leftJoin('ingested_files as o', 'o.id', 'f.copy_of')
      .orderBy('f.path')
      .select('f.path', 'o.path as of');
    const original = rows.filter((r) => r.of === null);
    expect(original).toHaveLength(1);
    expect(rows.filter((r) => r.of !== null).map((r) => r.of)).toEqual([original[0]!.path, original[0]!.path]);
    expect((await run({}, true)).result.outcome).toBe('nothing-to-do');
  });

  it("a crash between the samples COPY and the offset update keeps neither; the rerun ingests each line once (commit: 'file')", async () => {
    await run({ commit: 'file' });
    await appendFile(live(), `${loggerRow(3).slice(20)}\n${rows(4, 8)}`);
    const crash = telemetryPlugin(
      withInternalHooks(
        { backup: false, commit: 'file' },
        {
          beforeFileCommit: () => {
            throw new Error('power cut');
          },
        },
      ),
    );
    await expect(createRunner({ plugin: crash, target: legacy.target }).up({ repairDrift: true })).rejects.toThrow(
      /power cut/,
    );
    expect((await samples()).length).toBe(3);
    await run({ commit: 'file' }, true);
    expect(await samples()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ line: i + 2, at: at(i) })));
  });
});
