// The byte fast path must give exactly the COPY text and counts of the string path (the reference), for any
// line: property-tested over logger-like lines, near-misses and garbage.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { RowParser, type RejectedRow } from './row-parser.js';

const HEADER = 'Timestamp,T1_Feed,T2_Mid,T3_Nozzle,T_Motor,Target_Z1,Target_Z2,Pwr_Z1_%,Pwr_Z2_%,RPM_Main,RPM_Feed';
const OTHER_ORDER = 'rpm_main,t3_nozzle,Timestamp,T2_MID,t1_feed,Operator';

const ts = fc.oneof(
  fc.tuple(fc.integer({ min: -5, max: 10_005 }), fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 32 }), fc.integer({ min: -1, max: 25 }), fc.integer({ min: 0, max: 61 })).map(
    ([y, mo, d, h, m]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
  ),
  fc
    .tuple(fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }), fc.constantFrom('T', ' '), fc.constantFrom('', '.5', '.123', '.123456', '.123456789', '.1234567890', 'Z', '+02:00', '.'))
    .map(([d, sep, tail]) => `${d.toISOString().slice(0, 10)}${sep}${d.toISOString().slice(11, 19)}${tail}`),
  fc.constantFrom('2024-02-29 00:00:00', '2023-02-29 00:00:00', '1900-02-29 10:00:00', '2000-02-29 10:00:00', '1714550400', ' 2024-05-01 08:00:00', '2024-05-01 08:00', 'yesterday', ''),
);
const num = fc.oneof(
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map(String),
  fc.integer().map(String),
  fc.constantFrom('', '1234567890123456', '123456789012345', '1.123456789012345', '1.1234567890123456', '+1', '-.5', '5.', '1e3', ' 1', 'n/a', '"2"', 'é', '1\t2', '\\N', '0'),
);
// A logger line: a valid timestamp first, then mostly plain decimals (so the fast path is taken often).
const validTs = fc
  .tuple(fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }), fc.boolean())
  .map(([d, ms]) => d.toISOString().slice(0, ms ? 23 : 19).replace('T', ' '));
const loggerLine = fc
  .tuple(fc.oneof({ weight: 6, arbitrary: validTs }, { weight: 1, arbitrary: ts }), fc.array(fc.oneof({ weight: 20, arbitrary: fc.integer({ min: -99999, max: 99999 }).map((n) => (n / 10).toFixed(1)) }, { weight: 1, arbitrary: num }), { minLength: 10, maxLength: 10 }))
  .map(([t, cells]) => [t, ...cells].join(','));
const line = (fields: number) => fc.array(fc.oneof({ weight: 1, arbitrary: ts }, { weight: 5, arbitrary: num }), { minLength: fields - 1, maxLength: fields + 1 }).map((cells) => cells.join(','));

let fastLines = 0;

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
      fc.property(fc.constantFrom(HEADER, OTHER_ORDER), fc.array(fc.oneof(loggerLine, loggerLine, line(11), line(6), fc.string()), { maxLength: 20 }), (header, lines) => {
        expect(run(header, lines, true)).toEqual(run(header, lines, false));
      }),
      { numRuns: 300 },
    );
    expect(fastLines, 'the property exercised the fast path').toBeGreaterThan(100);
  });

  it('takes the fast path for logger lines and writes them as COPY text', () => {
    const l = '2024-05-01T08:00:01.1234567,180.3,195.5,,46.1,200.0,215.0,41.3,36.7,31.9,-12';
    fastLines = 0;
    const out = run(HEADER, [l], true);
    expect(fastLines).toBe(1);
    expect(out.copy).toBe('42\t2\t2024-05-01 08:00:01.123456\t180.3\t195.5\t\\N\t46.1\t200.0\t215.0\t41.3\t36.7\t31.9\t-12\n');
    expect(out.counts).toMatchObject({ dataLines: 1, accepted: 1, nullCells: 1 });
  });
});
