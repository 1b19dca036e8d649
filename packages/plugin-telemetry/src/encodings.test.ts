import { createRunner } from '@tidemark/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryPlugin } from '@tidemark/plugin-telemetry';
import { readRange, type RangeOptions, type RangeSummary } from './line-reader.js';
import { useLegacyTarget } from './test/legacy-target.js';
import { tempDir } from './test/pg.js';
import { LOGGER_HEADER, loggerRow } from './demo/sample-data.js';

const body = (eol: string, n = 3) =>
  [LOGGER_HEADER, ...Array.from({ length: n }, (_, i) => loggerRow(i))].join(eol) + eol;
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

async function lines(
  path: string,
  options: RangeOptions = {},
): Promise<{ got: [string, number, boolean][]; summary: RangeSummary }> {
  const got: [string, number, boolean][] = [];
  const it = readRange(path, 'f.csv', { line: (t, n, term) => got.push([t, n, term]) }, options);
  let step = await it.next();
  while (!step.done) step = await it.next();
  return { got, summary: step.value };
}

describe('line reader: line ends and encodings', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.remove());
  const file = async (content: string | Buffer) => {
    const p = join(dir.path, 'f.csv');
    await writeFile(p, content);
    return p;
  };

  it.each([
    ['LF', 'a\nb\nc\n'],
    ['CRLF', 'a\r\nb\r\nc\r\n'],
    ['CR only', 'a\rb\rc\r'],
    ['UTF-8 BOM, CRLF', '\uFEFFa\r\nb\r\nc\r\n'],
  ])('%s: three lines, all consumed', async (_, text) => {
    const p = await file(text);
    const { got, summary } = await lines(p);
    expect(got).toEqual([
      ['a', 1, true],
      ['b', 2, true],
      ['c', 3, true],
    ]);
    expect(summary).toMatchObject({ offset: Buffer.byteLength(text), held: 0, lines: 3 });
  });

  it('UTF-16 LE and BE with BOM are transcoded', async () => {
    for (const [encoding, bytes] of [
      ['utf16le', Buffer.from('\uFEFFtä\r\nü€\r\n', 'utf16le')],
      ['utf16be', utf16be('\uFEFFtä\r\nü€\r\n')],
    ] as const) {
      const { got, summary } = await lines(await file(bytes));
      expect(got).toEqual([
        ['tä', 1, true],
        ['ü€', 2, true],
      ]);
      expect(summary).toMatchObject({ encoding, offset: bytes.length, held: 0 });
    }
  });

  it('holds back a last line without a line end, and a CR that may be the start of a CRLF, unless closed', async () => {
    const p = await file('h\r\na\r\nb');
    expect((await lines(p)).summary).toMatchObject({ offset: 6, held: 1, lines: 2 });
    expect((await lines(p, { closed: true })).got.at(-1)).toEqual(['b', 3, false]);
    const q = await file('h\r\na\r');
    expect((await lines(q)).summary).toMatchObject({ offset: 3, held: 2, lines: 1 });
    // a CR-only file: its trailing CR ends the line (the line end of the lines before says so)
    const r = await file('h\ra\r');
    expect((await lines(r)).summary).toMatchObject({ offset: 4, held: 0, lines: 2 });
    expect((await lines(r, { start: 2, linesBefore: 1 })).got).toEqual([['a', 2, true]]);
  });

  it('names the byte offset and line of undecodable bytes', async () => {
    const p = await file(Buffer.concat([Buffer.from('head\nok\nbad '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    await expect(lines(p)).rejects.toThrow('file "f.csv": cannot decode byte 12 (line 3): not valid UTF-8');
    const nul = await file(Buffer.from('h\u0000e\n', 'utf16le'));
    await expect(lines(nul)).rejects.toThrow(/cannot decode byte 1 \(line 1\): NUL byte/);
  });
});

describe('ingest of odd encodings (PostgreSQL)', () => {
  const legacy = useLegacyTarget({
    'lf.csv': body('\n'),
    'cr-only.csv': body('\r'),
  });
  // the fixture writer writes text as UTF-8: the UTF-16 file is written as bytes
  beforeEach(() =>
    writeFile(
      join(legacy.target.logsDir, 'utf16le.csv'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body('\r\n'), 'utf16le')]),
    ),
  );
  const samplesOf = async (file: string) =>
    Number(
      (
        await legacy
          .knex('run_samples as s')
          .join('runs as r', 'r.id', 's.run_id')
          .where('r.source_file', file)
          .count<{ n: string }[]>('* as n')
      )[0]!.n,
    );

  it('CR-only and UTF-16 (LE and BE, BOM) files ingest every row, like the LF file', async () => {
    await writeFile(
      join(legacy.target.logsDir, 'utf16be.csv'),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(body('\r\n'))]),
    );
    await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target }).up();
    for (const file of ['lf.csv', 'cr-only.csv', 'utf16le.csv', 'utf16be.csv'])
      expect([file, await samplesOf(file)]).toEqual([file, 3]);
    const files = await legacy
      .knex('ingested_files')
      .orderBy('path')
      .select('path', 'data_lines', 'inserted', 'rejected', 'header');
    for (const f of files) expect(f).toMatchObject({ data_lines: 3, inserted: 3, rejected: 0, header: LOGGER_HEADER });
    const a = await legacy
      .knex('run_samples as s')
      .join('runs as r', 'r.id', 's.run_id')
      .where('r.source_file', 'lf.csv')
      .orderBy('line_no')
      .select('line_no', 't1_feed', 'recorded_at');
    const b = await legacy
      .knex('run_samples as s')
      .join('runs as r', 'r.id', 's.run_id')
      .where('r.source_file', 'utf16be.csv')
      .orderBy('line_no')
      .select('line_no', 't1_feed', 'recorded_at');
    expect(b).toEqual(a);
  });

  it("an undecodable file fails alone, named with its byte offset, while the others ingest (commit: 'file')", async () => {
    await writeFile(
      join(legacy.target.logsDir, 'broken.csv'),
      Buffer.concat([
        Buffer.from(`${LOGGER_HEADER}\n${loggerRow(0)}\n`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`${loggerRow(1)}\n`),
      ]),
    );
    const offset = LOGGER_HEADER.length + 1 + loggerRow(0).length + 1;
    const error = await createRunner({
      plugin: telemetryPlugin({ backup: false, commit: 'file' }),
      target: legacy.target,
    })
      .up()
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(error?.message).toContain(`file "broken.csv": cannot decode byte ${offset} (line 3): not valid UTF-8`);
    expect(await legacy.knex('ingested_files').orderBy('path').pluck('path')).toEqual([
      'cr-only.csv',
      'lf.csv',
      'utf16le.csv',
    ]);
    expect(await samplesOf('broken.csv')).toBe(0);
    expect(await samplesOf('lf.csv')).toBe(3);
  });

  it("an undecodable file fails the step naming it (commit: 'step'): nothing of the ingest is kept", async () => {
    await writeFile(join(legacy.target.logsDir, 'utf16-no-bom.csv'), Buffer.from(body('\n'), 'utf16le'));
    const error = await createRunner({ plugin: telemetryPlugin({ backup: false }), target: legacy.target })
      .up()
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(/file "utf16-no-bom\.csv": cannot decode byte 1 \(line 1\): NUL byte/);
    expect(await legacy.knex('ingested_files').count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);
  });
});
