// `pnpm --filter @tidemark/plugin-telemetry demo`: generates an extruder folder (config.json + clean and ugly
// CSVs) in a temp dir, runs the whole migration on PGlite (or on DATABASE_URL when set), writes a few live
// samples through the TelemetryWriter, and prints the runbook and parity reports. `--json` prints JSON.
import { consoleSink, createRunner } from '@tidemark/core';
import type { Knex } from 'knex';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTelemetryWriter,
  formatParity,
  formatRunbook,
  parityReport,
  runbookReport,
  telemetryPlugin,
} from '../index.js';
import { pgliteKnex } from './pglite.js';
import { loggerCsv, writeLegacyFolder } from './sample-data.js';
import { UGLY_FILES } from './ugly.js';

const json = process.argv.includes('--json');
const root = await mkdtemp(join(tmpdir(), 'tidemark-telemetry-demo-'));
let knex: Knex | undefined;
try {
  const url = process.env.DATABASE_URL;
  if (url) {
    const { default: knexFactory } = await import('knex');
    knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 5 } });
  } else {
    knex = await pgliteKnex();
  }
  const folder = await writeLegacyFolder(root, {
    ...UGLY_FILES,
    '2024-05-02_090000.csv': loggerCsv(2000, Date.UTC(2024, 4, 2, 9)),
    '2024-05-03_090000.csv': loggerCsv(3000, Date.UTC(2024, 4, 3, 9)),
  });
  const target = { knex, ...folder, label: url ? undefined : `pglite (in memory) + ${root}` };
  if (!json) console.log(`[demo] legacy folder in ${root}; database: ${url ? 'DATABASE_URL' : 'embedded PGlite'}`);
  const runner = createRunner({ plugin: telemetryPlugin(), target, ...(json ? {} : { onEvent: consoleSink() }) });
  await runner.up();

  // The app after cutover: CSV stays authoritative, the mirror is behind the flag.
  const writer = createTelemetryWriter({
    csvPath: join(folder.logsDir, 'live-run.csv'),
    knex,
    mirror: true,
    logsDir: folder.logsDir,
  });
  for (let i = 0; i < 25; i++)
    writer.write({
      timestamp: new Date(Date.UTC(2024, 5, 1, 12, 0, i)),
      t1_feed: 180 + i / 10,
      t2_mid: 195,
      t3_nozzle: 210,
      rpm_main: 30,
    });
  const dualWrite = await writer.close();

  const report = await runbookReport(target, { dualWrite });
  const parity = await parityReport(target);
  if (json) console.log(JSON.stringify({ runbook: report, parity }, null, 2));
  else {
    console.log(`\n${formatRunbook(report)}\n\nParity:\n${formatParity(parity)}`);
  }
  if (!report.ok) process.exitCode = 1;
} finally {
  await knex?.destroy();
  await rm(root, { recursive: true, force: true });
}
