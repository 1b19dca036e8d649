#!/usr/bin/env node
// `npm run demo [-- <part>...]`: the five seeds end to end through the built `tidemark` binary, each on an
// embedded or in-repo default (nothing to install or serve), each from its own tidemark.config.ts in this folder.
// Every part checks its exit codes and its final state; any surprise fails the demo (exit 1). The table at the end
// sums it up. TIDEMARK_DEMO_REPORT=<file> also writes the parts' results as JSON (the demo's test reads it).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const bin = join(repo, 'packages', 'cli', 'dist', 'bin.js');
const color = !process.env.NO_COLOR && (process.stdout.isTTY || process.env.FORCE_COLOR);
const bold = (s) => (color ? `\u001b[1m${s}\u001b[0m` : s);
const dim = (s) => (color ? `\u001b[2m${s}\u001b[0m` : s);

class DemoFailure extends Error {}
const fail = (message) => {
  throw new DemoFailure(message);
};
const check = (ok, message) => {
  if (!ok) fail(message);
};

/** The built `tidemark` binary on one config; `expect` lists the exit codes this step may end with. */
function tidemark(config, args, env, expect = [0]) {
  console.log(`\n${bold(`$ tidemark ${args.join(' ')}`)}`);
  const res = spawnSync(process.execPath, [bin, ...args, '--config', config], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (!expect.includes(res.status))
    fail(`"tidemark ${args.join(' ')}" exited ${res.status ?? res.signal}, expected ${expect.join(' or ')}`);
  return res.status;
}

/** Same, with --json, not printed: for the demo's own checks and the final table. */
function tidemarkJson(config, args, env, expect = [0]) {
  const res = spawnSync(process.execPath, [bin, ...args, '--json', '--config', config], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (!expect.includes(res.status))
    fail(
      `"tidemark ${args.join(' ')} --json" exited ${res.status ?? res.signal}, expected ${expect.join(' or ')}: ${res.stderr}`,
    );
  return JSON.parse(res.stdout);
}

function node(script, args, env, label, expect = [0]) {
  console.log(`\n${bold(`$ ${label}`)}`);
  const res = spawnSync(process.execPath, [script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
    cwd: here,
  });
  if (!expect.includes(res.status))
    fail(`"${label}" exited ${res.status ?? res.signal}, expected ${expect.join(' or ')}`);
}

/** Starts a helper server and resolves with the first line it prints on stdout (its address). */
function serve(command, args, cwd) {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} printed no address in 60 s`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code} before listening`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { line, stop };
}

/** One GET on a fresh connection: the event loop is blocked while a command runs, so a kept-alive socket may be dead. */
function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`GET ${url}: ${res.statusCode} ${text}`)),
      );
    });
    req.on('error', reject);
  });
}

function header(seed, byHand, now) {
  console.log(
    `\n${bold('━'.repeat(100))}\n${bold(seed)}\n  ${dim('by hand:')} ${byHand}\n  ${dim('now:    ')} ${now}\n${bold('━'.repeat(100))}`,
  );
}

/** Every file under dir (relative path -> sha256), skipping the folders a run keeps for itself. */
function treeHashes(dir, skip = () => false) {
  const out = new Map();
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.set(rel, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}
function changedFiles(before, after) {
  let n = 0;
  for (const [k, v] of after) if (before.get(k) !== v) n++;
  for (const k of before.keys()) if (!after.has(k)) n++;
  return n;
}
const appliedIds = (status) => status.migrations.filter((m) => m.status === 'applied').map((m) => m.id);

// ---------------------------------------------------------------------------------------------------------------

const RUN_CASES = [
  'full-legacy-run',
  'jsonpickle-flat-stale-paths',
  'watershed-string-ids-with-spaces',
  'external-ash-interchange',
  'readonly-run',
  'bad-corrupt-parquet',
];

async function runDirs(work) {
  header(
    'seed 000 · WEPPcloud run directories',
    'five one-off scripts per legacy run (Peridot tables, WBT GeoJSON ids, landuse/soils parquet, ash pickles) run in the right order by an operator, with the archive dashboard as the only rollback.',
    'scan, plan, then up over a copy of six real-format runs: each run zipped to archives/ before its first write, a READONLY and a corrupt run refused and left byte for byte as they were, then verify.',
  );
  const root = join(work, 'runs');
  for (const c of RUN_CASES) cpSync(join(repo, 'fixtures', 'plugin-run-dirs', c, 'before'), root, { recursive: true });
  const config = join(here, 'run-dirs', 'tidemark.config.ts');
  const env = { RUNS_ROOT: root };
  const inside = (rel) => rel.split('/')[1] === 'archives' || rel.split('/')[1] === '.tidemark';
  const before = treeHashes(root, inside);
  const everything = treeHashes(root);
  const untouched = ['rw-readonly', 'zc-corrupt'];

  node(
    join(repo, 'packages', 'plugin-run-dirs', 'dist', 'fleet', 'bin.js'),
    ['scan', root],
    {},
    `tidemark-run-dirs scan ${root}`,
    [1],
  ); // 1: two runs cannot be migrated
  tidemark(config, ['plan'], env, [1]); // 1: the corrupt run's parquet cannot be read, so it cannot be planned
  tidemark(config, ['up'], env, [1]); // 1: the READONLY run is refused and the corrupt one fails; the others migrate
  tidemark(config, ['verify'], env, [5]); // the first non-zero code: the READONLY run still has everything pending
  const migrated = readdirSync(root).filter((r) => !untouched.includes(r));
  const verified = tidemarkJson(config, ['verify'], env, [5]).targets;
  const statuses = tidemarkJson(config, ['status'], env).targets;

  const after = treeHashes(root, inside);
  const everythingAfter = treeHashes(root);
  for (const run of untouched) {
    // Byte for byte, Tidemark's own folder included: a refused run gets no ledger, lock or archive.
    const changed = [...new Set([...everything.keys(), ...everythingAfter.keys()])].filter(
      (k) => k.startsWith(`${run}/`) && everything.get(k) !== everythingAfter.get(k),
    );
    check(changed.length === 0, `run ${run} was changed: ${changed.join(', ')}`);
    check(!existsSync(join(root, run, 'archives')), `run ${run} got an archive`);
  }
  let archives = 0;
  let applied = 0;
  let baselined = 0;
  for (const run of migrated) {
    const zips = readdirSync(join(root, run, 'archives')).filter((f) => f.endsWith('.zip'));
    check(zips.length === 1, `run ${run} has ${zips.length} pre-migration archive(s), expected 1`);
    archives += zips.length;
    check(verified.find((t) => t.name === run)?.exitCode === 0, `verify of run ${run} did not pass`);
    const status = statuses.find((t) => t.name === run).status;
    check(status.pending.length === 0, `run ${run} still has pending migrations: ${status.pending.join(', ')}`);
    applied += appliedIds(status).length;
    baselined += status.migrations.filter((m) => m.status === 'baselined').length;
  }
  console.log(
    `\n[demo] ${migrated.length} runs migrated (one pre-migration zip each in archives/), ${untouched.join(' and ')} left untouched`,
  );
  return {
    applied,
    baselined,
    changed: changedFiles(before, after),
    unit: 'files',
    state: { migrated, untouched, archives },
  };
}

async function telemetry(work) {
  header(
    'seed 001 · extruder telemetry into PostgreSQL',
    'pre-checks with psql, tarballs of logs/ and config.json, an ingestion script, row counts compared by hand, and a checklist ticked off in the runbook.',
    'plan and up into embedded PGlite (pre-checks, tarball, COPY, rejected rows kept, the runbook printed), then a new CSV from the live logger shows as drift in verify and up --repair-drift ingests just it.',
  );
  const app = join(work, 'extruder');
  cpSync(join(here, 'telemetry', 'extruder'), app, { recursive: true });
  const config = join(here, 'telemetry', 'tidemark.config.ts');
  const env = { EXTRUDER_DIR: app, PGLITE_DIR: join(work, 'pglite') };

  tidemark(config, ['plan'], env);
  tidemark(config, ['up'], env);
  // The logger keeps writing after the cutover: a new run's first line lands in logs/.
  const live = join(app, 'logs', '2024-05-04_090000.csv');
  writeFileSync(
    live,
    'Timestamp,T1_Feed,T2_Mid,T3_Nozzle,T_Motor,Target_Z1,Target_Z2,Pwr_Z1_%,Pwr_Z2_%,RPM_Main,RPM_Feed\r\n',
  );
  appendFileSync(live, '2024-05-04 09:00:00,181.0,196.0,211.0,46.0,200.0,215.0,41.0,36.0,31.0,11.0\r\n');
  console.log(`\n[demo] the logger appended a line to ${relative(work, live)}`);
  tidemark(config, ['verify'], env, [4]); // 4: drift, 003_ingest_logs is applied but a CSV is not ingested
  tidemark(config, ['up', '--repair-drift'], env);

  // The final state, read with the same embedded database (in this process: one PGlite start fewer than another
  // `tidemark verify`): what the CSVs became, the rows kept aside, and a plan with nothing left to do.
  const { default: knex } = await import('knex');
  const { default: ClientPgLite } = await import('knex-pglite');
  const db = knex({ client: ClientPgLite, dialect: 'postgres', connection: { filename: env.PGLITE_DIR } });
  try {
    const count = async (table) => Number((await db(table).count({ n: '*' }))[0].n);
    const counts = {
      runs: await count('runs'),
      run_samples: await count('run_samples'),
      config_profiles: await count('config_profiles'),
      rejected_rows: await count('rejected_rows'),
    };
    const rejected = await db('rejected_rows').select('file', 'line_no', 'reason').orderBy(['file', 'line_no']);
    console.log(
      `\n[demo] in PGlite: ${counts.runs} runs, ${counts.run_samples} samples, ${counts.config_profiles} config profile; rejected rows kept with their reason:`,
    );
    for (const r of rejected) console.log(`  ${r.file}:${r.line_no}  ${r.reason}`);
    check(
      counts.runs === 7 && counts.run_samples === 1511 && counts.rejected_rows === 5 && counts.config_profiles === 1,
      `unexpected telemetry counts ${JSON.stringify(counts)}`,
    );
    // The ledger through core's runner on the same database (one PGlite boot fewer than a `status --json`).
    const { createRunner } = await import('@tidemark/core');
    const { telemetryPlugin } = await import('@tidemark/plugin-telemetry');
    const runner = createRunner({
      plugin: telemetryPlugin(),
      target: {
        knex: db,
        logsDir: join(app, 'logs'),
        configPath: join(app, 'backend', 'config.json'),
        backupDir: join(app, 'backups'),
      },
    });
    const verified = await runner.verify();
    check(
      verified.ok,
      `telemetry does not verify after the repair: ${JSON.stringify({ drift: verified.plan.drift, validation: verified.validation })}`,
    );
    const status = await runner.status();
    const applied = [...new Set(status.entries.filter((e) => e.outcome === 'applied').map((e) => e.id))].sort();
    check(status.pending.length === 0, `telemetry still has pending migrations: ${status.pending.join(', ')}`);
    return {
      applied: applied.length,
      changed: counts.runs + counts.run_samples + counts.config_profiles + counts.rejected_rows,
      unit: 'rows',
      state: { ...counts, applied },
    };
  } finally {
    await db.destroy();
  }
}

async function sheets(work) {
  header(
    'seed 002 · ZEUES Google Sheet v2.1 -> v3.0',
    'a 408-line coordinator, a 412-line verify script and a 423-line rollback script, run step by step with JSON checkpoints and a 10-row sample check.',
    'the in-repo Google API emulator served on a local port over HTTP: rehearse on a Drive copy, up (backup, columns, versions, smoke checks), the seven checks, then down: the automated rollback, verified.',
  );
  const fixture = join(repo, 'fixtures', 'plugin-sheets', 'basic', 'before');
  const sheetsDir = join(repo, 'packages', 'plugin-sheets');
  const server = serve(
    process.execPath,
    ['--import', 'tsx', 'src/testing/serve-bin.ts', '--fixture', fixture],
    sheetsDir,
  );
  try {
    const {
      url,
      spreadsheetIds: [spreadsheetId],
    } = JSON.parse(await server.line);
    console.log(
      `[demo] Google API emulator at ${url}, spreadsheet ${spreadsheetId} (ZEUES v2.1, from fixtures/plugin-sheets/basic)`,
    );
    const config = join(here, 'sheets', 'tidemark.config.ts');
    const env = { SHEET_ID: spreadsheetId, GOOGLE_API_ROOT: url };
    const state = () => getJson(`${url}_emulator/state/${spreadsheetId}`);
    const grid = (s) => s.sheets.find((x) => x.title === 'Operaciones');
    const before = await state();

    tidemark(config, ['rehearse'], env);
    check(JSON.stringify(grid(await state())) === JSON.stringify(grid(before)), 'rehearse changed the sheet');
    tidemark(config, ['up'], env);
    const after = await state();
    check(
      grid(after).values[0].slice(-3).join() === 'Ocupado_Por,Fecha_Ocupacion,version',
      'the v3.0 columns are not at the end of row 1',
    );
    const status = tidemarkJson(config, ['status'], env).targets[0].status;

    console.log(
      `\n${bold('$ verifySheet(target)')}  ${dim('(the seven checks through the plugin API: the CLI verify runs them as the validator)')}`,
    );
    const { sheetsTarget, verifySheet } = await import('@tidemark/plugin-sheets');
    const { sheets: sheetsApi } = await import('@googleapis/sheets');
    const { drive: driveApi } = await import('@googleapis/drive');
    const target = sheetsTarget({
      spreadsheetId,
      sheets: sheetsApi({ version: 'v4', auth: 'demo-api-key', rootUrl: url }),
      drive: driveApi({ version: 'v3', auth: 'demo-api-key', rootUrl: url }),
    });
    const report = await verifySheet(target);
    for (const [name, c] of Object.entries(report.checks)) console.log(`  ${c.passed ? '✓' : '✗'} ${name}`);
    check(
      report.success && Object.keys(report.checks).length === 7,
      `the seven checks: ${JSON.stringify(report.errors)}`,
    );
    tidemark(config, ['verify'], env);

    tidemark(config, ['down', '--all'], env);
    const back = await state();
    check(JSON.stringify(grid(back)) === JSON.stringify(grid(before)), 'down did not give the v2.1 sheet back');
    tidemark(config, ['status'], env);
    const rows = grid(after).values.filter(
      (row, i) => JSON.stringify(row) !== JSON.stringify(grid(before).values[i] ?? []),
    ).length;
    return {
      applied: appliedIds(status).length,
      changed: rows,
      unit: 'rows',
      state: {
        applied: appliedIds(status),
        checks: Object.keys(report.checks).length,
        restored: true,
        requests: back.requests,
      },
    };
  } finally {
    await server.stop();
  }
}

async function mongo(work) {
  header(
    'seed 003 · CML lablet manager on MongoDB',
    'Python upgrade() scripts run per environment behind feature flags, and a rollback that means running downgrade() by hand (its section 7.1).',
    "the MongoDB wire-protocol server on a local port: the app's startup hook applies 001 and 002, a second boot is one ledger read, then down --to 001 reverts 002 (its snapshot taken first).",
  );
  const server = serve(
    process.execPath,
    [join(repo, 'packages', 'mongo-wire-server', 'dist', 'bin.js'), '--port', '0'],
    work,
  );
  try {
    const url = (await server.line).replace(/^.*listening: /, '');
    const env = { MONGO_URL: url, MONGO_DB: 'cml_cloud_manager' };
    const { MongoClient } = await import('mongodb');
    const { loadFixture, writeStateToDb, readState } = await import('@tidemark/plugin-mongo');
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    try {
      const db = client.db(env.MONGO_DB);
      await writeStateToDb(db, await loadFixture(join(repo, 'fixtures', 'plugin-mongo', 'legacy-workers', 'before')));
      const workers = async () =>
        (await db.collection('cml_workers').find({}).sort({ _id: 1 }).toArray()).map((d) => JSON.stringify(d));
      const before = await workers();
      console.log(
        `[demo] wire-protocol server at ${url}; ${before.length} legacy cml_workers documents loaded (fixtures/plugin-mongo/legacy-workers)`,
      );
      const config = join(here, 'mongo', 'tidemark.config.ts');

      tidemark(config, ['status'], env);
      node(join(here, 'mongo', 'app.mjs'), [], env, 'node mongo/app.mjs   # boot 1');
      const upgraded = await workers();
      node(join(here, 'mongo', 'app.mjs'), [], env, 'node mongo/app.mjs   # boot 2');
      check(JSON.stringify(await workers()) === JSON.stringify(upgraded), 'the second boot changed documents');
      const status = tidemarkJson(config, ['status'], env).targets[0].status;
      check(
        appliedIds(status).join() === '001_lablet_collections,002_cml_worker_extensions',
        `after boot: ${appliedIds(status).join()}`,
      );
      tidemark(config, ['status'], env);
      tidemark(config, ['down', '--to', '001_lablet_collections'], env);
      tidemark(config, ['status'], env);
      const final = tidemarkJson(config, ['status'], env).targets[0].status;
      check(appliedIds(final).join() === '001_lablet_collections', `after down: ${appliedIds(final).join()}`);
      check(
        JSON.stringify(await workers()) === JSON.stringify(before),
        'down --to 001 did not give the workers back as they were',
      );
      const collections = Object.keys((await readState(db)).collections ?? {});
      const changed = upgraded.filter((d, i) => d !== before[i]).length;
      return {
        applied: appliedIds(status).length,
        changed,
        unit: 'documents',
        state: { afterBoot: appliedIds(status), afterDown: appliedIds(final), collections },
      };
    } finally {
      await client.close();
    }
  } finally {
    await server.stop();
  }
}

async function snapshots(work) {
  header(
    'seed 004 · recipe snapshot backfill (TypeORM)',
    'a Python script with --dry-run, run after a backup the operator was told to make, then verified by hand.',
    'sample_data.json on sql.js: dry-run stats, up (a resumable backfill in batches of 4, two runs of a deleted recipe skipped with a warning), verify, down.',
  );
  const file = join(work, 'recipes.sqlite');
  const env = { SNAPSHOTS_DB: file };
  const { loadState, readState, backfillStats, formatStats, snapshotEntities } =
    await import('@tidemark/plugin-snapshots');
  const { DataSource } = await import('typeorm');
  const open = () =>
    new DataSource({
      type: 'sqljs',
      location: file,
      autoSave: true,
      entities: snapshotEntities,
      logging: false,
    }).initialize();
  const sample = JSON.parse(
    readFileSync(join(repo, 'packages', 'plugin-snapshots', 'test_data', 'sample_data.json'), 'utf8'),
  );
  let ds = await open();
  await loadState(ds, sample);
  await ds.sqljsManager.saveDatabase();
  const before = await readState(ds);
  await ds.destroy();
  console.log(
    `[demo] sample_data.json loaded into ${file}: ${sample.recipes.length} recipes, ${sample.production_runs.length} production runs, no snapshots yet`,
  );
  const config = join(here, 'snapshots', 'tidemark.config.ts');

  tidemark(config, ['up', '--dry-run'], env);
  ds = await open();
  console.log(`\n${bold('backfillStats(dataSource)')}\n${formatStats(await backfillStats(ds), true)}`);
  await ds.destroy();
  tidemark(config, ['up'], env);
  tidemark(config, ['verify'], env);
  ds = await open();
  const upgraded = await readState(ds);
  await ds.destroy();
  const snapshotRows = upgraded.recipe_snapshots ?? [];
  check(
    snapshotRows.length === 8 && snapshotRows.every((s) => s.is_backfilled),
    `expected 8 backfilled snapshots, found ${snapshotRows.length}`,
  );
  const linked = upgraded.production_runs.filter((r) => r.recipe_snapshot_id !== null).length;
  const status = tidemarkJson(config, ['status'], env).targets[0].status;
  tidemark(config, ['down', '--all'], env);
  ds = await open();
  const back = await readState(ds);
  await ds.destroy();
  check(back.recipe_snapshots === undefined, 'down left the recipe_snapshots table');
  check(
    JSON.stringify(back.production_runs) === JSON.stringify(before.production_runs),
    'down did not give production_runs back as they were',
  );
  return {
    applied: appliedIds(status).length,
    changed: snapshotRows.length + linked,
    unit: 'rows',
    state: { snapshots: snapshotRows.length, linked, restored: true },
  };
}

// ---------------------------------------------------------------------------------------------------------------

const PARTS = {
  'run-dirs': { seed: '000 run directories', run: runDirs },
  telemetry: { seed: '001 telemetry', run: telemetry },
  sheets: { seed: '002 sheets', run: sheets },
  mongo: { seed: '003 mongo', run: mongo },
  snapshots: { seed: '004 snapshots', run: snapshots },
};

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !(a in PARTS));
if (unknown.length > 0) {
  console.error(`[demo] unknown part ${unknown.join(', ')}; the parts: ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
if (!existsSync(bin)) {
  console.error(`[demo] ${relative(process.cwd(), bin)} is missing: build first (npm run demo does)`);
  process.exit(2);
}
const names = asked.length > 0 ? asked : Object.keys(PARTS);
const results = [];
const started = Date.now();
for (const name of names) {
  const work = mkdtempSync(join(tmpdir(), `tidemark-demo-${name}-`));
  const t0 = Date.now();
  try {
    const r = await PARTS[name].run(work);
    results.push({ part: name, seed: PARTS[name].seed, ok: true, ...r, ms: Date.now() - t0 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\n[demo] ${name} FAILED: ${message}`);
    if (!(error instanceof DemoFailure) && error instanceof Error) console.error(error.stack);
    results.push({ part: name, seed: PARTS[name].seed, ok: false, error: message, ms: Date.now() - t0 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const rows = [
  ['seed', 'migrations applied', 'changed', 'time', ''],
  ...results.map((r) => [
    r.seed,
    r.ok ? `${r.applied}${r.baselined ? ` (+${r.baselined} baselined)` : ''}` : '-',
    r.ok ? `${r.changed} ${r.unit}` : '-',
    `${(r.ms / 1000).toFixed(1)} s`,
    r.ok ? 'ok' : `FAILED: ${r.error}`,
  ]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
const line = (row) =>
  row
    .map((c, i) => (i === 1 || i === 2 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
console.log(
  `\n${bold('Tidemark demo')} · ${((Date.now() - started) / 1000).toFixed(1)} s\n${bold(line(rows[0]))}\n${rows.slice(1).map(line).join('\n')}`,
);
if (process.env.TIDEMARK_DEMO_REPORT)
  writeFileSync(process.env.TIDEMARK_DEMO_REPORT, `${JSON.stringify(results, null, 2)}\n`);
if (results.some((r) => !r.ok)) process.exitCode = 1;
