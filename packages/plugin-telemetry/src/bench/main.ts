// `pnpm bench`: 1,000,000 logger rows in 50 files, loaded side by side into fresh databases by
//   1. psql \copy (the limit: C parser, one COPY per file, same table and constraints),
//   2. this plugin (runner.up: hash, parse, validate, COPY, count check, one transaction per step),
//   3. the naive way the seed's "ingestion script" and typical scripts do it: parse each line, one INSERT per
//      row through knex, awaited one after another (measured on BENCH_NAIVE_ROWS rows, extrapolated: at its
//      speed the full million takes many minutes),
//   4. for transparency, a batched script: knex.batchInsert 1000 rows at a time (BENCH_BATCH_FILES files),
// then peak RSS of a fresh process ingesting one file, one 10x and one 100x larger (memory must stay flat),
// then follow(): 50 files appended at 100 lines/s each by a child process for BENCH_FOLLOW_SECONDS (default
// 15) while a follower process mirrors them, the lag from each append to its commit in the database (p50, p99;
// goal p99 < 1 s) and the follower's CPU time per round,
// then a start with nothing pending (runPendingMigrations) against a bare SELECT of the ledger on the same
// pool (goal <= 1.2x; BENCH_STARTUP_CALLS calls of each).
// psql and the plugin run alternately BENCH_ROUNDS times (default 3) and the median of each is compared.
// Env: BENCH_ROWS, BENCH_FILES, BENCH_NAIVE_ROWS, BENCH_BATCH_FILES, BENCH_ROUNDS, BENCH_PG_URL, BENCH_ONLY (comma
// list of psql, plugin, naive, batch, rss, follow, startup; for profiling one part).
import { createRunner, runPendingMigrations } from '@tidemark/core';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { SAMPLE_COLUMNS, follow, telemetryPlugin } from '../index.js';
import { LOGGER_HEADER, loggerCsv, loggerRow, writeLegacyFolder } from '../demo/sample-data.js';

const run = promisify(execFile);
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const FILES = Number(process.env.BENCH_FILES ?? 50);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const NAIVE_ROWS = Number(process.env.BENCH_NAIVE_ROWS ?? 20_000);
const BATCH_FILES = Number(process.env.BENCH_BATCH_FILES ?? 10);
// psql and the plugin alternate ROUNDS times and the median is reported: a shared machine's load drifts.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'psql,plugin,naive,batch,rss,follow,startup').split(','));
const FOLLOW_SECONDS = Number(process.env.BENCH_FOLLOW_SECONDS ?? 15);
const FOLLOW_FILES = 50;
const STARTUP_CALLS = Number(process.env.BENCH_STARTUP_CALLS ?? 2000);
const perFile = Math.floor(ROWS / FILES);

interface Result {
  rows: number;
  seconds: number;
}

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

type Folder = { logsDir: string; configPath: string; backupDir: string };

async function schemaOnly(knex: Knex, folder: Folder): Promise<void> {
  await createRunner({ plugin: telemetryPlugin({ backup: false, prechecks: false }), target: { knex, ...folder } }).up({
    to: '001_schema',
  });
}

async function count(knex: Knex): Promise<number> {
  return Number((await knex('run_samples').count<{ n: string }[]>('* as n'))[0]!.n);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** What a typical script does with one line: split on commas, Number() each value, NULL when not a number. */
function naiveRow(runId: number, line: string): Record<string, unknown> {
  const cells = line.split(',');
  const row: Record<string, unknown> = { run_id: runId, recorded_at: cells[0] };
  SAMPLE_COLUMNS.forEach((c, i) => {
    const v = Number(cells[i + 1]);
    row[c] = cells[i + 1] === '' || Number.isNaN(v) ? null : v;
  });
  return row;
}

async function* dataLines(path: string): AsyncGenerator<string> {
  let header = true;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (header) header = false;
    else if (line !== '') yield line;
  }
}

function median(rs: Result[]): Result | undefined {
  if (rs.length === 0) return undefined;
  return [...rs].sort((a, b) => a.seconds - b.seconds)[Math.floor((rs.length - 1) / 2)];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--rss') return rssChild(process.argv[3]!, process.argv[4]!);
  if (process.argv[2] === '--writer')
    return writerChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
  if (process.argv[2] === '--follower') return followerChild(process.argv[3]!, process.argv[4]!);
  const root = await mkdtemp(join(tmpdir(), 'tidemark-telemetry-bench-'));
  try {
    // Written one by one and not kept: 80 MB of live strings would slow every later GC in this process.
    const folder = await writeLegacyFolder(root, {});
    const names: string[] = [];
    let bytes = 0;
    // Only the loads read these files (BENCH_ONLY=follow does not wait for 80 MB to be written).
    const loads = ['psql', 'plugin', 'naive', 'batch'].some((k) => ONLY.has(k));
    for (let i = 0; i < (loads ? FILES : 0); i++) {
      const name = `run-${String(i).padStart(3, '0')}.csv`;
      const text = loggerCsv(perFile, Date.UTC(2024, 0, 1) + i * 86_400_000);
      bytes += text.length;
      await writeFile(join(folder.logsDir, name), text);
      names.push(name);
    }
    const total = perFile * FILES;
    console.log(
      `[bench] ${fmt(total)} rows in ${FILES} files (${(bytes / 1e6).toFixed(1)} MB) on ${PG.replace(/:[^:@/]*@/, ':***@')}`,
    );
    const lines: string[] = [];
    const row = (label: string, r: Result, note = '') =>
      lines.push(
        `${label.padEnd(48)} ${fmt(r.rows).padStart(10)} ${r.seconds.toFixed(2).padStart(9)} ${fmt(r.rows / r.seconds).padStart(10)}  ${note}`,
      );

    const psqlRuns: Result[] = [];
    const stepRuns: Result[] = [];
    const wholeRuns: Result[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // 1. psql \copy
      if (ONLY.has('psql')) {
        psqlRuns.push(
          await withDb(async (url, knex) => {
            await schemaOnly(knex, folder);
            // Same table, same constraints: run_id comes from a DEFAULT, so psql pays the same foreign-key check.
            const [runRow] = await knex('runs')
              .insert({ status: 'imported', source: 'csv' })
              .returning<{ id: number }[]>('id');
            await knex.raw(`ALTER TABLE run_samples ALTER COLUMN run_id SET DEFAULT ${Number(runRow!.id)}`);
            const cols = ['recorded_at', ...SAMPLE_COLUMNS].join(', ');
            const script = names
              .map(
                (f) => `\\copy run_samples (${cols}) FROM '${join(folder.logsDir, f)}' WITH (FORMAT csv, HEADER true)`,
              )
              .join('\n');
            const scriptPath = join(root, 'copy.sql');
            await writeFile(scriptPath, `${script}\n`);
            const t0 = performance.now();
            await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', scriptPath, url]);
            const seconds = (performance.now() - t0) / 1000;
            const n = await count(knex);
            if (n !== total) throw new Error(`psql loaded ${n} rows, expected ${total}`);
            return { seconds, rows: n };
          }),
        );
      }
      // 2. this plugin, whole runner (pre-checks and backup off: the step alone is what competes with psql)
      if (ONLY.has('plugin')) {
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
          const seconds = (performance.now() - t0) / 1000;
          const n = await count(knex);
          if (n !== total) throw new Error(`plugin loaded ${n} rows, expected ${total}`);
          return { seconds, stepSeconds: stepMs / 1000, rows: n };
        });
        stepRuns.push({ rows: plugin.rows, seconds: plugin.stepSeconds });
        wholeRuns.push(plugin);
      }
    }
    const all = (rs: Result[]) => `runs: ${rs.map((r) => r.seconds.toFixed(2)).join(', ')} s`;
    const psql = median(psqlRuns);
    const pluginStep = median(stepRuns);
    if (psql) row('psql \\copy (the limit), median', psql, all(psqlRuns));
    if (pluginStep)
      row(
        'plugin, ingest step (003_ingest_logs), median',
        pluginStep,
        `${all(stepRuns)}; hash + parse + COPY + count check + validator`,
      );
    const whole = median(wholeRuns);
    if (whole)
      row(
        'plugin, whole runner.up(), median',
        whole,
        `${all(wholeRuns)}; plus plan (hashes every file), schema, config`,
      );

    // 3. naive: one INSERT per row, awaited in turn (a subset; rows/s extrapolates linearly)
    let naive: Result | undefined;
    if (ONLY.has('naive')) {
      naive = await withDb(async (_url, knex) => {
        await schemaOnly(knex, folder);
        const t0 = performance.now();
        let n = 0;
        for (const f of names) {
          if (n >= NAIVE_ROWS) break;
          const [r] = await knex('runs')
            .insert({ status: 'imported', source: 'csv', source_file: f })
            .returning<{ id: number }[]>('id');
          for await (const line of dataLines(join(folder.logsDir, f))) {
            await knex('run_samples').insert(naiveRow(r!.id, line));
            if (++n >= NAIVE_ROWS) break;
          }
        }
        return { seconds: (performance.now() - t0) / 1000, rows: n };
      });
      row(
        'naive: one INSERT per row via knex',
        naive,
        `${fmt(naive.rows)} rows measured; ${fmt(total)} would take ~${Math.round((total / naive.rows) * naive.seconds)} s`,
      );
    }

    // 4. batched script: knex.batchInsert, 1000 rows per INSERT
    let batch: Result | undefined;
    if (ONLY.has('batch')) {
      batch = await withDb(async (_url, knex) => {
        await schemaOnly(knex, folder);
        const t0 = performance.now();
        let n = 0;
        for (const f of names.slice(0, BATCH_FILES)) {
          const [r] = await knex('runs')
            .insert({ status: 'imported', source: 'csv', source_file: f })
            .returning<{ id: number }[]>('id');
          const rows: Record<string, unknown>[] = [];
          for await (const line of dataLines(join(folder.logsDir, f))) rows.push(naiveRow(r!.id, line));
          await knex.batchInsert('run_samples', rows, 1000);
          n += rows.length;
        }
        return { seconds: (performance.now() - t0) / 1000, rows: n };
      });
      row('batched script: knex.batchInsert 1000 rows', batch, `${BATCH_FILES} files`);
    }

    console.log('');
    console.log(`${'approach'.padEnd(48)} ${'rows'.padStart(10)} ${'seconds'.padStart(9)} ${'rows/s'.padStart(10)}`);
    for (const l of lines) console.log(l);
    console.log('');
    const rate = (r: Result) => r.rows / r.seconds;
    if (pluginStep && psql)
      console.log(`plugin / psql \\copy:            ${(rate(pluginStep) / rate(psql)).toFixed(2)}x   goal >= 1.2x`);
    if (pluginStep && naive)
      console.log(`plugin / naive row-by-row:      ${(rate(pluginStep) / rate(naive)).toFixed(1)}x   goal >= 20x`);
    if (pluginStep && batch)
      console.log(
        `plugin / batchInsert 1000:      ${(rate(pluginStep) / rate(batch)).toFixed(1)}x   (for transparency)`,
      );

    if (ONLY.has('rss')) {
      // Memory: peak RSS of a fresh process ingesting one file of N, 10x N and 100x N rows (the first is below
      // the runtime's warm-up; flat means the last two agree).
      console.log('');
      const small = perFile * 2;
      for (const rows of [small, small * 10, small * 100]) {
        const dir = join(root, `rss-${rows}`);
        await writeLegacyFolder(dir, {});
        await writeLarge(join(dir, 'logs', 'big.csv'), rows);
        const peak = await withDb(async (url) => rssOf(url, dir));
        console.log(
          `peak RSS ingesting one file of ${fmt(rows).padStart(10)} rows: ${(peak / 1024 / 1024).toFixed(0)} MB`,
        );
      }
    }
    if (ONLY.has('startup')) {
      console.log('');
      const st = await withDb((_url, knex) => startupCost(knex, join(root, 'startup')));
      const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
      console.log(`no-op start: median call of ${STARTUP_CALLS} each, interleaved, same pool:`);
      console.log(`  bare SELECT * FROM tidemark_telemetry_ledger:  ${us(st.select).padStart(9)} per call`);
      console.log(
        `  runPendingMigrations (nothing pending):        ${us(st.startup).padStart(9)} per call   ${(st.startup / st.select).toFixed(2)}x the SELECT   goal <= 1.2x`,
      );
      console.log(
        `  runner.up() (nothing pending, 3 statements):   ${us(st.up).padStart(9)} per call   ${(st.up / st.select).toFixed(2)}x the SELECT   (for transparency)`,
      );
    }
    if (ONLY.has('follow')) {
      console.log('');
      const lag = await withDb((url, knex) => followLag(url, knex, join(root, 'follow')));
      const q = (p: number) => lag.lags[Math.min(lag.lags.length - 1, Math.floor(p * lag.lags.length))] ?? NaN;
      console.log(
        `follow: ${FOLLOW_FILES} files x 100 lines/s (writer: another process) for ${FOLLOW_SECONDS} s: ${fmt(lag.lines)} lines, all in the database: ${lag.complete ? 'yes' : 'NO'}`,
      );
      console.log(`follow lag append -> committed: p50 ${fmt(q(0.5))} ms, p99 ${fmt(q(0.99))} ms, max ${fmt(q(1))} ms`);
      const f = lag.follower;
      console.log(
        `follow: ${fmt(f.rounds)} rounds, follower CPU ${(f.cpuMs / Math.max(1, f.rounds)).toFixed(1)} ms per round (${fmt(f.cpuMs)} ms user+sys in ${(f.wallMs / 1000).toFixed(1)} s), ${(f.busyMs / Math.max(1, f.rounds)).toFixed(1)} ms wall per round`,
      );
      console.log(`follow: 1 s goal / p50 lag:     ${(1000 / q(0.5)).toFixed(2)}x`);
      console.log(
        `follow: 1 s goal / p99 lag:     ${(1000 / q(0.99)).toFixed(2)}x   goal >= 1x (p99 lag < 1 s): ${q(0.99) < 1000 ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * A start with nothing pending against the query it cannot avoid: a bare SELECT of the ledger table on the
 * same pool (warm). The three are timed call by call, interleaved in a rotating order (a loaded machine's
 * drift and a position's bias fall on all alike), and the median call of each is compared.
 */
async function startupCost(knex: Knex, dir: string): Promise<{ select: number; startup: number; up: number }> {
  const folder = await writeLegacyFolder(dir, {
    'a.csv': loggerCsv(100),
    'b.csv': loggerCsv(100, Date.UTC(2024, 1, 1)),
  });
  const plugin = telemetryPlugin({ backup: false, prechecks: false, closedAfterMs: 0 });
  const target = { knex, ...folder };
  await createRunner({ plugin, target }).up();
  const cases: Record<'select' | 'startup' | 'up', () => Promise<unknown>> = {
    select: () => knex.raw('SELECT * FROM tidemark_telemetry_ledger ORDER BY seq'),
    startup: async () => {
      const r = await runPendingMigrations({ plugin, target });
      if (r.outcome !== 'up-to-date') throw new Error(`startup found work: ${r.outcome}`);
    },
    up: async () => {
      const r = await createRunner({ plugin, target }).up();
      if (r.outcome !== 'nothing-to-do') throw new Error(`up found work: ${r.outcome}`);
    },
  };
  const keys = Object.keys(cases) as (keyof typeof cases)[];
  const times = { select: [] as number[], startup: [] as number[], up: [] as number[] };
  for (let i = 0; i < STARTUP_CALLS + 50; i++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(i + j) % keys.length]!;
      const t0 = performance.now();
      await cases[k]();
      if (i >= 50) times[k].push(performance.now() - t0);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { select: med(times.select), startup: med(times.startup), up: med(times.up) };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between this process and its writer. */
const wallMs = () => performance.timeOrigin + performance.now();

/**
 * 50 files appended at 100 lines/s each (10 lines every 100 ms) by a child process (another process, like the
 * Python logger: its writes do not wait for this event loop) while follow() mirrors them here. The child
 * prints each append's file, new size and time; the lag is from that time to the first read of the
 * database's offsets (every 20 ms) that covers it.
 */
interface FollowerReport {
  rounds: number;
  busyMs: number;
  cpuMs: number;
  wallMs: number;
}

async function followLag(
  url: string,
  knex: Knex,
  dir: string,
): Promise<{ lines: number; lags: number[]; complete: boolean; follower: FollowerReport }> {
  const folder = await writeLegacyFolder(dir, {});
  const files = Array.from({ length: FOLLOW_FILES }, (_, i) => `live-${String(i).padStart(2, '0')}.csv`);
  for (const f of files) await writeFile(join(folder.logsDir, f), `${LOGGER_HEADER}\n`);
  await createRunner({
    plugin: telemetryPlugin({ backup: false, prechecks: false }),
    target: { knex, ...folder },
  }).up();
  // The follower in its own process, as `tidemark-telemetry follow` runs: its event loop and CPU are its own
  // (this process's polling of the offsets neither delays nor bills it).
  const follower = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--follower', url, folder.logsDir],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const fromFollower = createInterface({ input: follower.stdout });
  const followerLines: string[] = [];
  let onFollowerLine: (() => void) | null = null;
  fromFollower.on('line', (l) => {
    followerLines.push(l);
    onFollowerLine?.();
  });
  const followerLine = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const l = followerLines.shift();
        if (l !== undefined) {
          onFollowerLine = null;
          resolve(l);
        }
      };
      onFollowerLine = check;
      follower.once('close', (code) => reject(new Error(`follower exited ${code}`)));
      check();
    });
  if ((await followerLine()) !== 'ready') throw new Error('follower did not start');
  const queue = new Map<string, { offset: number; at: number }[]>(files.map((f) => [f, []]));
  const lags: number[] = [];
  let lines = 0;
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--writer',
      folder.logsDir,
      String(FOLLOW_SECONDS),
      String(FOLLOW_FILES),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const appends = createInterface({ input: child.stdout });
  appends.on('line', (line) => {
    const [file, offset, at] = line.split(' ');
    queue.get(file!)!.push({ offset: Number(offset), at: Number(at) });
    lines += 10;
  });
  let writing = true;
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      writing = false;
      if (code === 0) resolve();
      else reject(new Error(`writer exited ${code}`));
    });
  });
  const done = () => !writing && [...queue.values()].every((q) => q.length === 0);
  const giveUp = performance.now() + (FOLLOW_SECONDS + 30) * 1000;
  while (!done() && performance.now() < giveUp) {
    const rows = await knex('ingested_files').select<{ path: string; size_bytes: string }[]>('path', 'size_bytes');
    const now = wallMs();
    for (const r of rows) {
      const q = queue.get(r.path);
      while (q && q.length > 0 && q[0]!.offset <= Number(r.size_bytes)) lags.push(now - q.shift()!.at);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await exited;
  const report = followerLine();
  follower.stdin.end();
  const stats = JSON.parse(await report) as FollowerReport;
  const stored = await count(knex);
  return { lines, lags: lags.sort((a, b) => a - b), complete: stored === lines, follower: stats };
}

/** The follower child: follow() until its stdin closes, then its rounds and CPU time on stdout. */
async function followerChild(url: string, logsDir: string): Promise<void> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  try {
    const follower = await follow({ knex, logsDir, enabled: () => true });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    process.stdout.write('ready\n');
    process.stdin.resume();
    await new Promise<void>((resolve) => process.stdin.once('end', resolve));
    const stats = await follower.stop();
    const cpu = process.cpuUsage(cpu0);
    const report: FollowerReport = {
      rounds: stats.rounds,
      busyMs: stats.busyMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - t0,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await knex.destroy();
  }
}

/**
 * The writer child: every 100 ms 10 lines to each file (LF, like DataLogger on Linux), one line per append on stdout.
 */
async function writerChild(logsDir: string, seconds: number, n: number): Promise<void> {
  const files = Array.from({ length: n }, (_, i) => `live-${String(i).padStart(2, '0')}.csv`);
  const size = files.map(() => LOGGER_HEADER.length + 1);
  const t0 = performance.now();
  for (let tick = 0; performance.now() - t0 < seconds * 1000; tick++) {
    const next = t0 + tick * 100;
    if (next > performance.now()) await new Promise((r) => setTimeout(r, next - performance.now()));
    let out = '';
    for (const [k, f] of files.entries()) {
      let text = '';
      for (let j = 0; j < 10; j++) text += `${loggerRow(tick * 10 + j, Date.UTC(2024, 0, 1) + k * 86_400_000)}\n`;
      appendFileSync(join(logsDir, f), text);
      size[k]! += text.length;
      out += `${f} ${size[k]} ${wallMs().toFixed(3)}\n`;
    }
    process.stdout.write(out);
  }
}

async function writeLarge(path: string, rows: number): Promise<void> {
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
    // execArgv carries tsx's loader: the bench runs from src.
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--rss', url, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`rss child exited ${code}`)),
    );
  });
}

async function rssChild(url: string, dir: string): Promise<void> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  try {
    await createRunner({
      plugin: telemetryPlugin({ backup: false, prechecks: false }),
      target: {
        knex,
        logsDir: join(dir, 'logs'),
        configPath: join(dir, 'backend', 'config.json'),
        backupDir: join(dir, 'backups'),
      },
    }).up();
  } finally {
    await knex.destroy();
  }
  process.stdout.write(`${process.resourceUsage().maxRSS * 1024}\n`);
}

await main();
