// Legacy extruder folders as years of logger versions leave them: config.json variants and logs/
// with several CSVs — header spellings, orders and missing columns across logger versions, BOMs, CRLF,
// unknown columns, non-numeric cells, malformed rows (field count, timestamps, quoting), blank lines, a
// truncated last line, empty and header-only files, a byte-identical copy, and a file that is not a CSV.
import fc from 'fast-check';
import { SAMPLE_COLUMNS, type SampleColumn } from '../schema.js';
import type { TelemetryState } from '../testing/state.js';

const SPELLINGS: Record<'recorded_at' | SampleColumn, readonly string[]> = {
  recorded_at: ['Timestamp', 'timestamp', 'TIME', 'Date Time'],
  t1_feed: ['T1_Feed', 't1_feed', 'T1 Feed', 'T1'],
  t2_mid: ['T2_Mid', 'T2_MID', 't2-mid'],
  t3_nozzle: ['T3_Nozzle', 't3_nozzle', 'Nozzle Temp'],
  t_motor: ['T_Motor', 'Motor_Temp'],
  target_z1: ['Target_Z1', 'target_z1', 'Setpoint Z1'],
  target_z2: ['Target_Z2', 'TARG_Z2'],
  pwr_z1_pct: ['Pwr_Z1_%', 'Power_Z1'],
  pwr_z2_pct: ['Pwr_Z2_%', 'pwr_z2'],
  rpm_main: ['RPM_Main', 'rpm'],
  rpm_feed: ['RPM_Feed', 'Feed RPM'],
};

type Field = { kind: 'ts' } | { kind: 'value' } | { kind: 'extra' };

const header = fc
  .record({
    values: fc.shuffledSubarray([...SAMPLE_COLUMNS], { minLength: 0 }),
    timestampAt: fc.option(fc.nat(), { freq: 8 }),
    extra: fc.boolean(),
    spelling: fc.nat(),
  })
  .map(({ values, timestampAt, extra, spelling }) => {
    const names: string[] = values.map((c, i) => SPELLINGS[c][(spelling + i) % SPELLINGS[c].length]!);
    const fields: Field[] = values.map(() => ({ kind: 'value' }));
    if (timestampAt !== null) {
      const at = timestampAt % (names.length + 1);
      names.splice(at, 0, SPELLINGS.recorded_at[spelling % SPELLINGS.recorded_at.length]!);
      fields.splice(at, 0, { kind: 'ts' });
    }
    if (extra) {
      names.push('Operator');
      fields.push({ kind: 'extra' });
    }
    return { names, fields };
  });

const timestamp = fc
  .tuple(fc.integer({ min: 0, max: 3 * 365 * 86_400 }), fc.integer({ min: 0, max: 5 }))
  .map(([s, style]) => {
    const ms = Date.UTC(2022, 0, 1) + s * 1000;
    const iso = new Date(ms).toISOString();
    switch (style) {
      case 0:
        return iso.slice(0, 19).replace('T', ' ');
      case 1:
        return iso.slice(0, 23);
      case 2:
        return iso;
      case 3:
        return `${iso.slice(0, 19)}+02:00`;
      case 4:
        return String(Math.floor(ms / 1000));
      default:
        return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
    }
  });

const number = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5000, max: 30000 }).map((n) => (n / 10).toFixed(1)) },
  { weight: 1, arbitrary: fc.constantFrom('0', '-0.5', '+3', '.5', '1e3', '2.5E-1', '"42.5"', '007') },
);
const junk = fc.constantFrom('', 'n/a', 'ERR', '--', 'NaN', '1e999', '12 C', ' ', 'null', '0x1f');
const cell = fc.oneof({ weight: 5, arbitrary: number }, { weight: 1, arbitrary: junk });
const extraCell = fc.constantFrom('ann', 'bob', '"ann, shift 2"', '');

type Row = 'good' | 'short' | 'long' | 'bad-ts' | 'impossible-date' | 'quote' | 'blank';
const rowKind = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Row>('good') },
  { weight: 1, arbitrary: fc.constantFrom<Row>('short', 'long', 'bad-ts', 'impossible-date', 'quote', 'blank') },
);

function line(fields: Field[], kind: Row): fc.Arbitrary<string> {
  if (kind === 'blank') return fc.constant('');
  const cells = fc.tuple(...fields.map((f) => (f.kind === 'ts' ? timestamp : f.kind === 'value' ? cell : extraCell)));
  return fc.tuple(cells, cell).map(([values, spare]) => {
    const out = [...values];
    const ts = fields.findIndex((f) => f.kind === 'ts');
    if (kind === 'bad-ts' && ts >= 0) out[ts] = 'yesterday noon';
    if (kind === 'impossible-date' && ts >= 0) out[ts] = '2023-02-30 12:00:00';
    if (kind === 'short') out.pop();
    if (kind === 'long') out.push(spare.replace(/"/g, ''));
    if (kind === 'quote') out[out.length - 1] = `"${(out[out.length - 1] ?? '').replace(/"/g, '')}`;
    return out.join(',');
  });
}

const csv = header.chain(({ names, fields }) =>
  fc
    .record({
      rows: fc.array(
        rowKind.chain((k) => line(fields, k)),
        { maxLength: 6 },
      ),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      truncated: fc.boolean(),
    })
    .map(({ rows, eol, bom, truncated }) => {
      const text = `${bom ? '\uFEFF' : ''}${[names.join(','), ...rows].join(eol)}`;
      return truncated && rows.length > 0 ? text : `${text}${eol}`;
    }),
);

const config = fc.record(
  {
    profile_name: fc.constantFrom('extruder-default', 'lab-line-2'),
    pid: fc.record({
      z1: fc.record({ kp: fc.double({ min: 0, max: 50, noNaN: true }), ki: fc.constantFrom(0.7, 0.8) }),
    }),
    gpio: fc.dictionary(fc.constantFrom('heater_z1', 'heater_z2', 'fan'), fc.integer({ min: 2, max: 27 })),
    extruder: fc.record({ sequencing: fc.boolean() }),
  },
  { requiredKeys: ['pid'] },
);

const NAMES = ['2024-05-01_080000.csv', '2024-05-02_080000.csv', 'old/2023-11-02.csv', 'RUN-7.CSV'];

export const legacyFolder: fc.Arbitrary<TelemetryState> = fc
  .record({
    // Always a config.json: up refuses a target without one (see paths-guard.ts; the no-config golden case).
    config: fc.tuple(config, fc.constantFrom(0, 2, 4)),
    logs: fc.uniqueArray(
      fc.tuple(
        fc.constantFrom(...NAMES),
        fc.oneof({ weight: 6, arbitrary: csv }, { weight: 1, arbitrary: fc.constant('') }),
      ),
      {
        minLength: 1,
        maxLength: 4,
        selector: ([name]) => name,
      },
    ),
    copyOfFirst: fc.boolean(),
    notCsv: fc.boolean(),
  })
  .map(({ config: cfg, logs, copyOfFirst, notCsv }) => {
    const files: Record<string, string> = {};
    files['config.json'] = `${JSON.stringify(cfg[0], null, cfg[1])}\n`;
    for (const [name, text] of logs) files[`logs/${name}`] = text;
    if (copyOfFirst) files['logs/zz-copy.csv'] = logs[0]![1];
    if (notCsv) files['logs/README.txt'] = 'Timestamp,T1_Feed\nnot telemetry\n';
    return { files, tables: {} };
  });
