// The byte fast path must give exactly the COPY text and counts of the string path (the reference), for any
// line: property-tested over logger-like lines, near-misses and garbage.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { plainNumberOrEmpty, plainTimestamp, RowParser, type RejectedRow } from './row-parser.js';

const HEADER = 'Timestamp,T1_Feed,T2_Mid,T3_Nozzle,T_Motor,Target_Z1,Target_Z2,Pwr_Z1_%,Pwr_Z2_%,RPM_Main,RPM_Feed';
const OTHER_ORDER = 'rpm_main,t3_nozzle,Timestamp,T2_MID,t1_feed,Operator';

const ts = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: -5, max: 10_005 }),
      fc.integer({ min: -1, max: 14 }),
      fc.integer({ min: -1, max: 32 }),
      fc.integer({ min: -1, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
    )
    .map(
      ([y, mo, d, h, m]) =>
        `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
    ),
  fc
    .tuple(
      fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
      fc.constantFrom('T', ' '),
      fc.constantFrom('', '.5', '.123', '.123456', '.123456789', '.1234567890', 'Z', '+02:00', '.'),
    )
    .map(([d, sep, tail]) => `${d.toISOString().slice(0, 10)}${sep}${d.toISOString().slice(11, 19)}${tail}`),
  fc.constantFrom(
    '2024-02-29 00:00:00',
    '2023-02-29 00:00:00',
    '1900-02-29 10:00:00',
    '2000-02-29 10:00:00',
    '1714550400',
    ' 2024-05-01 08:00:00',
    '2024-05-01 08:00',
    'yesterday',
    '',
  ),
);
const num = fc.oneof(
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map(String),
  fc.integer().map(String),
  fc.constantFrom(
    '',
    '1234567890123456',
    '123456789012345',
    '1.123456789012345',
    '1.1234567890123456',
    '+1',
    '-.5',
    '5.',
    '1e3',
    ' 1',
    'n/a',
    '"2"',
    'é',
    '1\t2',
    '\\N',
    '0',
  ),
);
// A logger line: a valid timestamp first, then mostly plain decimals (so the fast path is taken often).
const validTs = fc
  .tuple(
    fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
    fc.boolean(),
  )
  .map(([d, ms]) =>
    d
      .toISOString()
      .slice(0, ms ? 23 : 19)
      .replace('T', ' '),
  );
const loggerLine = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: validTs }, { weight: 1, arbitrary: ts }),
    fc.array(
      fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: -99999, max: 99999 }).map((n) => (n / 10).toFixed(1)) },
        { weight: 1, arbitrary: num },
      ),
      { minLength: 10, maxLength: 10 },
    ),
  )
  .map(([t, cells]) => [t, ...cells].join(','));
const line = (fields: number) =>
  fc
    .array(fc.oneof({ weight: 1, arbitrary: ts }, { weight: 5, arbitrary: num }), {
      minLength: fields - 1,
      maxLength: fields + 1,
    })
    .map((cells) => cells.join(','));

let fastLines = 0;
// Under Stryker every surviving mutant reruns the property: fewer runs keep a mutation run within minutes.
const PROPERTY_RUNS = process.env.STRYKER_MUTATOR_WORKER === undefined ? 300 : 60;

function run(header: string, lines: string[], bytes: boolean) {
  const rejects: RejectedRow[] = [];
  const p = new RowParser({ runId: 42, onReject: (r) => rejects.push(r) });
  p.line(header, 1, true);
  const slow = vi.spyOn(p, 'line');
  lines.forEach((l, i) => {
    if (bytes) {
      const b = Buffer.from(`xx${l}yy`);
      p.lineBytes(b, 2, b.length - 2, i + 2, true);
    } else {
      p.line(l, i + 2, true);
    }
  });
  if (bytes) fastLines += lines.length - slow.mock.calls.length;
  return { copy: p.take().toString('utf8'), counts: { ...p.counts }, rejects };
}

describe('RowParser byte fast path', () => {
  it('equals the string path for any line (logger header and another column order)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(HEADER, OTHER_ORDER),
        fc.array(fc.oneof(loggerLine, loggerLine, line(11), line(6), fc.string()), { maxLength: 20 }),
        (header, lines) => {
          expect(run(header, lines, true)).toEqual(run(header, lines, false));
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
    expect(fastLines, 'the property exercised the fast path').toBeGreaterThan(PROPERTY_RUNS / 3);
  });

  it('takes the fast path for logger lines and writes them as COPY text', () => {
    const l = '2024-05-01T08:00:01.1234567,180.3,195.5,,46.1,200.0,215.0,41.3,36.7,31.9,-12';
    fastLines = 0;
    const out = run(HEADER, [l], true);
    expect(fastLines).toBe(1);
    expect(out.copy).toBe(
      '42\t2\t2024-05-01 08:00:01.123456\t180.3\t195.5\t\\N\t46.1\t200.0\t215.0\t41.3\t36.7\t31.9\t-12\n',
    );
    expect(out.counts).toMatchObject({ dataLines: 1, accepted: 1, nullCells: 1 });
  });
});

function parser(header?: string, extra: Partial<ConstructorParameters<typeof RowParser>[0]> = {}) {
  const rejects: RejectedRow[] = [];
  const p = new RowParser({ runId: 7, onReject: (r) => rejects.push(r), ...extra });
  if (header !== undefined) p.line(header, 1, true);
  return { p, rejects };
}
const bytesLine = (p: RowParser, text: string, lineNo: number, terminated = true) => {
  const b = Buffer.from(text);
  p.lineBytes(b, 0, b.length, lineNo, terminated);
};

describe('RowParser rows', () => {
  it('the first non-blank line is the header; blank lines count only after it', () => {
    const { p } = parser();
    p.line('', 1, true);
    p.line('   ', 2, true);
    expect(p.header).toBeNull();
    p.line(' "Timestamp" , "T1_Feed" ', 3, true);
    expect(p.headerText).toBe(' "Timestamp" , "T1_Feed" ');
    expect(p.header?.byIndex).toEqual(['recorded_at', 't1_feed']);
    p.line(' \t ', 4, true);
    p.line('', 5, true);
    expect(p.counts).toEqual({ dataLines: 0, accepted: 0, rejected: 0, blankLines: 2, nullCells: 0 });
  });

  it('header fields are reported as written, without the spaces around them', () => {
    const { p } = parser('Timestamp, T1_Feed ,"Operator"');
    expect(p.header?.mapped).toEqual({ recorded_at: 'Timestamp', t1_feed: 'T1_Feed' });
    expect(p.header?.unmapped).toEqual(['Operator']);
  });

  it('a header with broken quoting is still split on every comma', () => {
    const { p } = parser('Timestamp,"RPM_Main,T1_Feed');
    expect(p.header?.byIndex).toEqual(['recorded_at', 'rpm_main', 't1_feed']);
    expect(p.header?.mapped.rpm_main).toBe('"RPM_Main');
    expect(p.header?.fieldCount).toBe(3);
  });

  it('writes one COPY line per accepted row: run id, line number, timestamp, every value column in order', () => {
    const { p, rejects } = parser('T2_Mid,Timestamp,Operator,T1_Feed');
    p.line('1e3,2024-05-01T08:00:01Z,ann,-.5', 2, true);
    p.line('"7",2024-05-01 08:00:02,"bob, jr",n/a', 3, true);
    expect(rejects).toEqual([]);
    expect(p.take().toString('utf8')).toBe(
      '7\t2\t2024-05-01 08:00:01+00:00\t-0.5\t1000\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n' +
        '7\t3\t2024-05-01 08:00:02\t\\N\t7\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n',
    );
    expect(p.counts).toEqual({ dataLines: 2, accepted: 2, rejected: 0, blankLines: 0, nullCells: 17 });
    expect(p.take().length).toBe(0);
  });

  it('rejects malformed lines with the reason, the line number and the raw text', () => {
    const { p, rejects } = parser('Timestamp,T1_Feed');
    p.line('2024-05-01 08:00:00,1,2', 2, true);
    p.line('2024-05-01 08:00:00', 3, true);
    p.line('"2024-05-01 08:00:00,1', 4, true);
    p.line(`${'x'.repeat(100)},1`, 5, true);
    p.line('2024-05-01 08:00:00,1', 6, false);
    expect(rejects).toEqual([
      { lineNo: 2, raw: '2024-05-01 08:00:00,1,2', reason: 'wrong field count: 3, header has 2' },
      { lineNo: 3, raw: '2024-05-01 08:00:00', reason: 'wrong field count: 1, header has 2' },
      { lineNo: 4, raw: '"2024-05-01 08:00:00,1', reason: 'broken quoting: unterminated quoted field' },
      { lineNo: 5, raw: `${'x'.repeat(100)},1`, reason: `unparsable timestamp "${'x'.repeat(64)}"` },
      { lineNo: 6, raw: '2024-05-01 08:00:00,1', reason: 'truncated last line (no newline at end of file)' },
    ]);
    expect(p.counts).toEqual({ dataLines: 5, accepted: 0, rejected: 5, blankLines: 0, nullCells: 0 });
    expect(p.take().length).toBe(0);
  });

  it('a header without a timestamp column rejects every row (byte path too)', () => {
    const { p, rejects } = parser('T1_Feed,T2_Mid');
    p.line('1,2', 2, true);
    bytesLine(p, '3,4', 3);
    expect(rejects.map((r) => [r.lineNo, r.reason])).toEqual([
      [2, 'header has no timestamp column'],
      [3, 'header has no timestamp column'],
    ]);
    expect(p.counts.accepted).toBe(0);
  });

  it('onSample sees each accepted row parsed (and the byte path then defers to the string path)', () => {
    const samples: unknown[] = [];
    const { p } = parser('Timestamp,RPM_Main,T1_Feed', { onSample: (s) => samples.push(s) });
    bytesLine(p, '2024-05-01 08:00:00,31.9,', 2);
    p.line('bad,1,2', 3, true);
    expect(samples).toEqual([
      {
        lineNo: 2,
        recordedAt: '2024-05-01 08:00:00',
        values: {
          t1_feed: null,
          t2_mid: null,
          t3_nozzle: null,
          t_motor: null,
          target_z1: null,
          target_z2: null,
          pwr_z1_pct: null,
          pwr_z2_pct: null,
          rpm_main: '31.9',
          rpm_feed: null,
        },
      },
    ]);
  });

  it('the byte path: a line before the header is the header, an unterminated line is rejected', () => {
    const { p, rejects } = parser();
    bytesLine(p, 'Timestamp,T1_Feed', 1);
    expect(p.header?.byIndex).toEqual(['recorded_at', 't1_feed']);
    bytesLine(p, '2024-05-01 08:00:00,1', 2, false);
    bytesLine(p, '', 3);
    expect(rejects.map((r) => r.reason)).toEqual(['truncated last line (no newline at end of file)']);
    expect(p.counts).toMatchObject({ dataLines: 1, rejected: 1, blankLines: 1 });
  });

  it('the byte path takes every plain logger line (no string per row) and numbers lines in decimal', () => {
    const { p } = parser(HEADER);
    const slow = vi.spyOn(p, 'line');
    const lines = [
      '2024-05-01 08:00:00,180.3,195.5,210.0,46.1,200.0,215.0,41.3,36.7,31.9,12.0',
      '2024-05-01T08:00:01,,,,,,,,,,',
      '2024-02-29 23:59:59.5,-1,+2,3.,0,1,2,3,4,5,6',
      '0001-01-01 00:00:00.123456789,123456789012345,1.123456789012345,0,0,0,0,0,0,0,0',
      '2000-12-31 12:30:45.12,1,1,1,1,1,1,1,1,1,1',
    ];
    const lineNos = [2, 9, 10, 99, 123456];
    lines.forEach((l, i) => bytesLine(p, l, lineNos[i]!));
    expect(slow).not.toHaveBeenCalled();
    expect(p.take().toString('utf8').split('\n')).toEqual([
      '7\t2\t2024-05-01 08:00:00\t180.3\t195.5\t210.0\t46.1\t200.0\t215.0\t41.3\t36.7\t31.9\t12.0',
      '7\t9\t2024-05-01 08:00:01\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N',
      '7\t10\t2024-02-29 23:59:59.5\t-1\t+2\t3.\t0\t1\t2\t3\t4\t5\t6',
      '7\t99\t0001-01-01 00:00:00.123456\t123456789012345\t1.123456789012345\t0\t0\t0\t0\t0\t0\t0\t0',
      '7\t123456\t2000-12-31 12:30:45.12\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1',
      '',
    ]);
    expect(p.counts).toEqual({ dataLines: 5, accepted: 5, rejected: 0, blankLines: 0, nullCells: 10 });
  });

  it('the byte path also takes another column order: missing columns NULL, unknown columns left out', () => {
    const { p, rejects } = parser(OTHER_ORDER);
    const slow = vi.spyOn(p, 'line');
    bytesLine(p, '31.5,210.0,2024-05-01 08:00:00,195.5,180.3,ann', 2);
    bytesLine(p, ',,2024-05-01 08:00:01,,-1,', 3);
    expect(slow).not.toHaveBeenCalled();
    expect(p.take().toString('utf8')).toBe(
      '7\t2\t2024-05-01 08:00:00\t180.3\t195.5\t210.0\t\\N\t\\N\t\\N\t\\N\t\\N\t31.5\t\\N\n' +
        '7\t3\t2024-05-01 08:00:01\t-1\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n',
    );
    bytesLine(p, 'n/a,1,2024-05-01 08:00:02,2,3,x', 4);
    bytesLine(p, '1,1,2024-05-01 08:00:03,2,3,a"b', 5);
    expect(p.take().toString('utf8')).toBe('7\t4\t2024-05-01 08:00:02\t3\t2\t1\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n');
    expect(rejects).toEqual([
      { lineNo: 5, raw: '1,1,2024-05-01 08:00:03,2,3,a"b', reason: 'broken quoting: quote inside an unquoted field' },
    ]);
  });

  it('the byte path only takes plain ASCII lines, also in columns it does not copy', () => {
    const { p } = parser(OTHER_ORDER);
    const slow = vi.spyOn(p, 'line');
    const odd = ['a\\b', 'a\tb', 'é', 'a\u007fb', 'a\u0001b'];
    odd.forEach((o, i) => bytesLine(p, `1,2,2024-05-01 08:00:00,3,4,${o}`, i + 2));
    expect(slow).toHaveBeenCalledTimes(odd.length);
    expect(p.counts.accepted).toBe(odd.length);
  });

  it('the byte path stops at the line end: the reader hands lines inside a bigger buffer', () => {
    const { p } = parser(HEADER);
    const slow = vi.spyOn(p, 'line');
    const line = '2024-05-01 08:00:00,1,2,3,4,5,6,7,8,9,10';
    const b = Buffer.from(`${line}\r\n`);
    p.lineBytes(b, 0, line.length, 2, true);
    expect(slow).not.toHaveBeenCalled();
    expect(p.counts.accepted).toBe(1);
  });

  it('a short line after a long one is rejected, never filled from the previous line (byte path)', () => {
    const { p, rejects } = parser(HEADER);
    bytesLine(p, '2024-05-01 08:00:00,1,2,3,4,5,6,7,8,9,10', 2);
    bytesLine(p, '2024-05-01 08:00:00,1,2,3,4,5,6,7,8,12345678901234567', 3);
    expect(rejects).toEqual([
      {
        lineNo: 3,
        raw: '2024-05-01 08:00:00,1,2,3,4,5,6,7,8,12345678901234567',
        reason: 'wrong field count: 10, header has 11',
      },
    ]);
    expect(p.counts).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('the byte path hands other lines to the string path', () => {
    const { p } = parser(HEADER);
    const slow = vi.spyOn(p, 'line');
    const others = [
      '2024-05-01 08:00:00,1,2,3,4,5,6,7,8,9',
      '2024-05-01 08:00:00,1,2,3,4,5,6,7,8,9,10,11',
      '"2024-05-01 08:00:00",1,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00,1\\,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00,1\t,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00,1é,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00,1~,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00,1e3,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00,1234567890123456,2,3,4,5,6,7,8,9,10',
      '2024-05-01 08:00:00Z,1,2,3,4,5,6,7,8,9,10',
      '1714550400,1,2,3,4,5,6,7,8,9,10',
    ];
    others.forEach((l, i) => bytesLine(p, l, i + 2));
    expect(slow).toHaveBeenCalledTimes(others.length);
  });

  it.each([
    ['the byte path', true],
    ['the string path', false],
  ])('grows its buffer past the first half megabyte without losing rows (%s alone)', (_, bytes) => {
    const { p } = parser(HEADER);
    const row = (i: number) => `2024-05-01 08:00:00,${i},195.5,210.0,46.1,200.0,215.0,41.3,36.7,31.9,12.0`;
    const n = 9000;
    for (let i = 0; i < n; i++) {
      if (bytes) bytesLine(p, row(i), i + 2);
      else p.line(row(i), i + 2, true);
    }
    const out = p.take().toString('utf8').split('\n');
    expect(out.length).toBe(n + 1);
    expect(out.every((l, i) => i === n || l === `7\t${i + 2}\t${row(i).replaceAll(',', '\t')}`)).toBe(true);
  });

  it('grows its buffer past the first half megabyte without losing rows (both paths)', () => {
    const { p } = parser(HEADER);
    const row = (i: number) => `2024-05-01 08:00:00,${i},195.5,210.0,46.1,200.0,215.0,41.3,36.7,31.9,12.0`;
    const n = 9000;
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) bytesLine(p, row(i), i + 2);
      else p.line(row(i), i + 2, true);
    }
    const out = p.take().toString('utf8').split('\n');
    expect(out.length).toBe(n + 1);
    expect(out.every((l, i) => i === n || l === `7\t${i + 2}\t${row(i).replaceAll(',', '\t')}`)).toBe(true);
  });
});

describe('plainTimestamp and plainNumberOrEmpty (the byte path only takes what the string path passes as is)', () => {
  const ts = (s: string) => plainTimestamp(Buffer.from(`#${s}#`), 1, s.length + 1);
  const num = (s: string) => plainNumberOrEmpty(Buffer.from(`#${s}#`), 1, s.length + 1);

  it('plainTimestamp', () => {
    for (const ok of [
      '2024-05-01 08:00:00',
      '2024-05-01T23:59:59',
      '2024-02-29 00:00:00',
      '2000-02-29 00:00:00',
      '0001-01-01 00:00:00',
      '2024-12-31 10:00:00.1',
      '2024-12-31 10:00:00.123456789',
      '2024-05-01 08:07:00',
      '2024-05-01 08:00:00.102',
      '0010-05-01 08:00:00',
      '0400-02-29 00:00:00',
    ]) {
      expect(ts(ok), ok).toBe(true);
    }
    for (const bad of [
      '2024-05-01 08:00',
      '2024-05-01 08:00:00.',
      '2024-05-01 08:00:00.1234567890',
      '2024-05-01 08:00:00,1',
      '2024-05-01 08:00:00Z',
      '2024/05/01 08:00:00',
      '2024/05-01 08:00:00',
      '2024-0:-01 08:00:00',
      '2024-05-0: 08:00:00',
      '2024-05-01 0:-00:00',
      '2024-05/01 08:00:00',
      '2024-05-01_08:00:00',
      '2024-05-01 08-00:00',
      '2024-05-01 08:00-00',
      '0000-05-01 08:00:00',
      '2024-00-01 08:00:00',
      '2024-13-01 08:00:00',
      '2024-05-00 08:00:00',
      '2024-05-32 08:00:00',
      '2024-04-31 08:00:00',
      '2023-02-29 08:00:00',
      '1900-02-29 08:00:00',
      '2024-05-01 24:00:00',
      '2024-05-01 08:60:00',
      '2024-05-01 08:00:60',
      '2024-05-01 08:00:00.12a',
      'x024-05-01 08:00:00',
      '2024-0x-01 08:00:00',
      '2024-05-0x 08:00:00',
      '2024-05-01 0x:00:00',
      '2024-05-01 08:0x:00',
      '2024-05-01 08:00:0x',
    ]) {
      expect(ts(bad), bad).toBe(false);
    }
  });

  it('plainNumberOrEmpty', () => {
    for (const ok of [
      '',
      '0',
      '-1',
      '+2',
      '3.',
      '3.5',
      '123456789012345',
      '1.123456789012345',
      '-123456789012345.123456789012345',
    ])
      expect(num(ok), ok).toBe(true);
    for (const bad of [
      '-',
      '+',
      '.5',
      '1234567890123456',
      '1.1234567890123456',
      '1e3',
      '1.2.3',
      '1a',
      'a1',
      '--1',
      '1-',
      ' 1',
      '1,5',
    ])
      expect(num(bad), bad).toBe(false);
  });
});
