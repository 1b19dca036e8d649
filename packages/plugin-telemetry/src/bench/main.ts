// `pnpm bench`: 1,000,000 logger rows in 50 files, loaded side by side into fresh databases by
//   1. psql \copy (the limit: C parser, one COPY per file),
//   2. this plugin (runner.up: hash, parse, validate, COPY, count check, per-file transaction),
//   3. a naive knex batch insert (parse in JS, knex.batchInsert 1000 rows at a time),
// then peak RSS of this plugin ingesting one file and a file 10x larger (memory must stay flat).
import { createRunner } from '@tidemark/core';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { SAMPLE_COLUMNS, telemetryPlugin } from '../index.js';
import { loggerCsv, writeLegacyFolder } from '../demo/sample-data.js';

const run = promisify(execFile);
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const FILES = Number(process.env.BENCH_FILES ?? 50);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const NAIVE_FILES = Number(process.env.BENCH_NAIVE_FILES ?? 10);
const perFile = Math.floor(ROWS / FILES);

async function withDb<R>(fn: (url: string, knex: Knex) => Promise<R>): Promise<R> {
  const name = `tdm_bench_${randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres`, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const knex = knexFactory({ client: 'pg', connection: `${PG}/${name}`, pool: { min: 0, max: 4 } });
  try {
    return await fn(`${PG}/${name}`, knex);
  } finally {
    await knex.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
}

async function schemaOnly(knex: Knex, folder: { logsDir: string; configPath: string; backupDir: string }): Promise<void> {
  await createRunner({ plugin: telemetryPlugin({ backup: false, prechecks: false }), target: { knex, ...folder } }).up({ to: '001_schema' });
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--rss') return rssChild(process.argv[3]!, process.argv[4]!);
  const root = await mkdtemp(join(tmpdir(), 'tidemark-telemetry-bench-'));
  try {
    // Written one by one and not kept: 80 MB of live strings would slow every later GC in this process.
    const folder = await writeLegacyFolder(root, {});
    const names: string[] = [];
    let bytes = 0;
    for (let i = 0; i < FILES; i++) {
      const name = `run-${String(i).padStart(3, '0')}.csv`;
      const text = loggerCsv(perFile, Date.UTC(2024, 0, 1) + i * 86_400_000);
      bytes += text.length;
      await writeFile(join(folder.logsDir, name), text);
      names.push(name);
    }
    const files = Object.fromEntries(names.map((n) => [n, true]));
    const total = perFile * FILES;
    const mb = bytes / 1e6;
    console.log(`[bench] ${fmt(total)} rows in ${FILES} files (${mb.toFixed(1)} MB) on ${PG.replace(/:[^:@/]*@/, ':***@')}`);

    // 1. psql \copy
    const psql = await withDb(async (url, knex) => {
      await schemaOnly(knex, folder);
      // Same table, same constraints: run_id comes from a DEFAULT, so psql pays the same foreign-key check.
      const [runRow] = await knex('runs').insert({ status: 'imported', source: 'csv' }).returning<{ id: number }[]>('id');
      await knex.raw(`ALTER TABLE run_samples ALTER COLUMN run_id SET DEFAULT ${Number(runRow!.id)}`);
      const cols = ['recorded_at', ...SAMPLE_COLUMNS].join(', ');
      const script = Object.keys(files).map((f) => `\\copy run_samples (${cols}) FROM '${join(folder.logsDir, f)}' WITH (FORMAT csv, HEADER true)`).join('\n');
      const scriptPath = join(root, 'copy.sql');
      await writeFile(scriptPath, `${script}\n`);
      const t0 = performance.now();
      await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', scriptPath, url]);
      const s = (performance.now() - t0) / 1000;
      const n = Number((await knex('run_samples').count<{ n: string }[]>('* as n'))[0]!.n);
      if (n !== total) throw new Error(`psql loaded ${n} rows, expected ${total}`);
      return { seconds: s, rows: n };
    });

    // 2. this plugin, whole runner (pre-checks and backup off: the step alone is what competes with psql)
    const plugin = await withDb(async (_url, knex) => {
      let stepMs = 0;
      const t0 = performance.now();
      await createRunner({
        plugin: telemetryPlugin({ backup: false, prechecks: false }),
        target: { knex, ...folder },
        onEvent: (e) => {
          if (e.type === 'step:finished' && e.migration === '003_ingest_logs') stepMs = e.durationMs;
        },
      }).up();
      const s = (performance.now() - t0) / 1000;
      const n = Number((await knex('run_samples').count<{ n: string }[]>('* as n'))[0]!.n);
      if (n !== total) throw new Error(`plugin loaded ${n} rows, expected ${total}`);
      return { seconds: s, stepSeconds: stepMs / 1000, rows: n };
    });

    // 3. naive knex batch insert (on NAIVE_FILES files: it is slow; rows/s is what is compared)
    const naive = await withDb(async (_url, knex) => {
      await schemaOnly(knex, folder);
      const names = Object.keys(files).slice(0, NAIVE_FILES);
      const t0 = performance.now();
      let n = 0;
      for (const f of names) {
        const [run] = await knex('runs').insert({ status: 'imported', source: 'csv', source_file: f }).returning<{ id: number }[]>('id');
        const rows: Record<string, unknown>[] = [];
        let header: string[] | null = null;
        for await (const line of createInterface({ input: createReadStream(join(folder.logsDir, f)) })) {
          if (!header) {
            header = line.split(',');
            continue;
          }
          const cells = line.split(',');
          const row: Record<string, unknown> = { run_id: run!.id, recorded_at: cells[0] };
          SAMPLE_COLUMNS.forEach((c, i) => {
            const v = Number(cells[i + 1]);
            row[c] = cells[i + 1] === '' || Number.isNaN(v) ? null : v;
          });
          rows.push(row);
        }
        await knex.batchInsert('run_samples', rows, 1000);
        n += rows.length;
      }
      return { seconds: (performance.now() - t0) / 1000, rows: n };
    });

    const rate = (r: { rows: number; seconds: number }) => r.rows / r.seconds;
    const pluginStepRate = plugin.rows / plugin.stepSeconds;
    console.log('');
    console.log('approach                     rows        seconds   rows/s');
    console.log(`psql \\copy (limit)           ${fmt(psql.rows).padEnd(11)} ${psql.seconds.toFixed(2).padEnd(9)} ${fmt(rate(psql))}`);
    console.log(`plugin, ingest step          ${fmt(plugin.rows).padEnd(11)} ${plugin.stepSeconds.toFixed(2).padEnd(9)} ${fmt(pluginStepRate)}`);
    console.log(`plugin, whole runner.up()    ${fmt(plugin.rows).padEnd(11)} ${plugin.seconds.toFixed(2).padEnd(9)} ${fmt(rate(plugin))}`);
    console.log(`naive knex batchInsert       ${fmt(naive.rows).padEnd(11)} ${naive.seconds.toFixed(2).padEnd(9)} ${fmt(rate(naive))}`);
    console.log('');
    console.log(`plugin / psql \\copy:  ${(pluginStepRate / rate(psql)).toFixed(2)}x (step), ${(rate(plugin) / rate(psql)).toFixed(2)}x (whole run)   goal >= 0.8x`);
    console.log(`plugin / naive:       ${(pluginStepRate / rate(naive)).toFixed(1)}x (step), ${(rate(plugin) / rate(naive)).toFixed(1)}x (whole run)   goal >= 20x`);

    // Memory: peak RSS of a fresh process ingesting one file of N rows, then 10x N rows.
    console.log('');
    const small = perFile * 2;
    for (const rows of [small, small * 10]) {
      const dir = join(root, `rss-${rows}`);
      await writeLegacyFolder(dir, {});
      await writeLarge(join(dir, 'logs', 'big.csv'), rows);
      const peak = await withDb(async (url) => rssOf(url, dir));
      console.log(`peak RSS ingesting one file of ${fmt(rows).padStart(10)} rows: ${(peak / 1024 / 1024).toFixed(0)} MB`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeLarge(path: string, rows: number): Promise<void> {
  const { createWriteStream } = await import('node:fs');
  const out = createWriteStream(path);
  const chunk = 20_000;
  for (let done = 0; done < rows; done += chunk) {
    let text = loggerCsv(Math.min(chunk, rows - done), Date.UTC(2020, 0, 1) + done * 1000);
    if (done > 0) text = text.slice(text.indexOf('\n') + 1);
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

function rssOf(url: string, dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--rss', url, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`rss child exited ${code}`))));
  });
}

async function rssChild(url: string, dir: string): Promise<void> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  try {
    await createRunner({ plugin: telemetryPlugin({ backup: false, prechecks: false }), target: { knex, logsDir: join(dir, 'logs'), configPath: join(dir, 'backend', 'config.json'), backupDir: join(dir, 'backups') } }).up();
  } finally {
    await knex.destroy();
  }
  process.stdout.write(`${process.resourceUsage().maxRSS * 1024}\n`);
}

await main();
