// CSVs as they really come out of years of logger versions and crashes.
import { LOGGER_HEADER, loggerCsv } from './sample-data.js';

export const UGLY_FILES: Record<string, string> = {
  // clean, CRLF, the current logger
  '2024-05-01_080000.csv': loggerCsv(5),
  // an older logger: other order, other case, no T_Motor / RPM_Feed, a BOM, LF endings, an extra column
  'old/2023-11-02.csv':
    '\uFEFFtimestamp,rpm_main,t3_nozzle,T2_MID,t1_feed,Pwr_Z1_%,Pwr_Z2_%,target_z1,target_z2,Operator\n' +
    '2023-11-02T10:00:00,30.5,210.1,195.2,180.3,40,35,200,215,ann\n' +
    '2023-11-02T10:00:01,n/a,210.2,,180.4,40,35,200,215,ann\n' +
    '\n' +
    '2023-11-02T10:00:02,31,210.3,195.4,ERR,41,36,200,215,"ann, shift 2"\n',
  // every kind of malformed row, and a truncated last line
  'ugly.csv':
    `${LOGGER_HEADER}\n` +
    '2024-06-01 12:00:00,180.1,195.1,210.1,45.1,200,215,40,35,30,10\n' +
    '2024-06-01 12:00:01,180.2,195.2,210.2,45.2,200,215,40,35,30\n' + // wrong field count
    'yesterday noon,180.3,195.3,210.3,45.3,200,215,40,35,30,10\n' + // unparsable timestamp
    '2024-06-01 12:00:03,"180.4,195.4,210.4,45.4,200,215,40,35,30,10\n' + // broken quoting
    '2024-02-30 12:00:04,180.5,195.5,210.5,45.5,200,215,40,35,30,10\n' + // impossible date
    '2024-06-01 12:00:05,1e999,--,210.6,45.6,200,215,40,35,30,10\n' + // out-of-range and dashes -> NULL
    '2024-06-01 12:00:06,180.7,195.7,210.7,45.7,200,215,40,35,30,1', // truncated last line
  // header only
  'empty-run.csv': `${LOGGER_HEADER}\r\n`,
};

export const UGLY_EXPECTED = {
  files: 4,
  inserted: 5 + 3 + 2 + 0,
  rejected: 0 + 0 + 5 + 0,
  reasons: [
    'wrong field count',
    'unparsable timestamp',
    'broken quoting',
    'unparsable timestamp',
    'truncated last line',
  ],
};
