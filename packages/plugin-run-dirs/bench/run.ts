// `pnpm bench` for the run-dirs guards and fleet. Everything is generated in a temp folder and deleted.
//  1. Archive guard on a ~200 MB run: hard-link snapshot vs this plugin's zip (yazl, deflate 6) vs Info-ZIP
//     `zip -6 -r` (Debian), snapshot and restore, side by side with ratios.
//  2. Fleet: 1,000 generated runs migrated at concurrency 1, 2, 4 (runs/s), and cost vs run size.
// Sizes can be scaled down with BENCH_RUN_MB / BENCH_FLEET_RUNS for a quick look.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreHardlinkSnapshot, takeHardlinkSnapshot } from '../src/guards/hardlink-snapshot.js';
import { createRunArchive, restoreRunArchive } from '../src/guards/zip-archive.js';
import { buildLegacyRun, noiseBytes } from '../src/testing/legacy-run.js';
import { fleetUp } from '../src/fleet/fleet.js';
import { writeFileAtomic } from '../src/file-ops.js';
import { fleetTestPlugin } from '../src/fleet/test/fleet-plugin.js';

const RUN_MB = Number(process.env.BENCH_RUN_MB ?? 200);
const FLEET_RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 1000);

const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

function csvText(rows: number, seed: number): string {
  let s = 'topaz_id,wepp_id,slope_scalar,length,width,direction,aspect,area,elevation,centroid_lon,centroid_lat\n';
  for (let i = 0; i < rows; i++) {
    const id = (seed * 1000 + i) * 10 + 1 + (i % 3);
    s += `${id},${i + 1},${((i * 37) % 100) / 100},${100 + (i % 400)}.5,${20 + (i % 30)},${i % 360},${(i * 7) % 360},${1000 + i * 3},${1500 + (i % 900)}.25,-116.${(i * 7919) % 100000},46.${(i * 104729) % 100000}\n`;
  }
  return s;
}

/** A run of about `totalMb`: half compressible tables/logs, half incompressible rasters. */
async function bigRun(parent: string, totalMb: number): Promise<string> {
  const dir = await buildLegacyRun(parent, { runId: 'bench-big' });
  const half = (totalMb * 1024 * 1024) / 2;
  await mkdir(join(dir, 'wepp', 'output'), { recursive: true });
  let written = 0;
  for (let i = 0; written < half; i++) {
    const text = csvText(20_000, i);
    await writeFile(join(dir, 'wepp', 'output', `H${i}.loss.csv`), text);
    written += Buffer.byteLength(text);
  }
  const rasters = Math.max(1, Math.round(half / (10 * 1024 * 1024)));
  for (let i = 0; i < rasters; i++)
    await writeFile(join(dir, 'dem', `tile${i}.tif`), noiseBytes(Math.round(half / rasters), i + 11));
  return dir;
}

/** A migration's kind of change: new file + rename (never in place), and a removal. */
async function mutate(dir: string) {
  await writeFileAtomic(join(dir, 'ron.nodb'), '{"changed":true}');
  await rm(join(dir, 'wepp', 'output', 'H0.loss.csv'));
}

async function archiveBench(base: string) {
  console.log(`\n## Archive guard on a generated ${RUN_MB} MB run (half CSV text, half incompressible rasters)\n`);
  const dir = await bigRun(base, RUN_MB);
  const rows: { name: string; snapMs: number; restoreMs: number; size: string }[] = [];

  let t0 = performance.now();
  const snap = await takeHardlinkSnapshot(dir);
  const snapMs = ms(t0);
  await mutate(dir);
  t0 = performance.now();
  await restoreHardlinkSnapshot(dir, snap.ref);
  rows.push({
    name: 'hard-link snapshot (this plugin)',
    snapMs,
    restoreMs: ms(t0),
    size: `${mb(snap.bytes)} linked, ~0 MB new`,
  });
  await rm(join(dir, snap.ref), { recursive: true });

  t0 = performance.now();
  const zip = await createRunArchive(dir, 'bench-big');
  const zipMs = ms(t0);
  await mutate(dir);
  t0 = performance.now();
  await restoreRunArchive(dir, zip.ref);
  rows.push({
    name: 'zip deflate-6 (this plugin, yazl/yauzl)',
    snapMs: zipMs,
    restoreMs: ms(t0),
    size: `${mb(zip.zipBytes)} of ${mb(zip.sourceBytes)}`,
  });
  await rm(zip.path);

  let infoZip = false;
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    infoZip = true;
  } catch {
    console.log('(Info-ZIP zip/unzip not installed: `apt-get install -y zip unzip` to compare)');
  }
  if (infoZip) {
    const out = join(base, 'infozip.zip');
    t0 = performance.now();
    execFileSync('zip', ['-6', '-r', '-y', '-q', out, '.', '-x', 'archives/*'], { cwd: dir });
    const zMs = ms(t0);
    const size = (await import('node:fs')).statSync(out).size;
    await mutate(dir);
    t0 = performance.now();
    // The real restore: delete everything but archives/, then extract.
    for (const name of (await import('node:fs')).readdirSync(dir))
      if (name !== 'archives') await rm(join(dir, name), { recursive: true, force: true });
    execFileSync('unzip', ['-q', '-o', out, '-d', dir]);
    rows.push({ name: 'Info-ZIP zip -6 -r / unzip (Debian)', snapMs: zMs, restoreMs: ms(t0), size: `${mb(size)}` });
  }
  const ref = rows[0]!;
  console.log('| approach | snapshot ms | restore ms | snapshot x slower than hard links | restore x slower | size |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${fmt(r.snapMs)} | ${fmt(r.restoreMs)} | ${fmt(r.snapMs / ref.snapMs)} | ${fmt(r.restoreMs / ref.restoreMs)} | ${r.size} |`,
    );
  const ours = rows[1]!;
  const theirs = rows[2];
  if (theirs)
    console.log(
      `\nthis plugin's zip vs Info-ZIP: snapshot ${fmt(ours.snapMs / theirs.snapMs)}x, restore ${fmt(ours.restoreMs / theirs.restoreMs)}x the time (restore includes CRC checks + staging)`,
    );
  await rm(dir, { recursive: true, force: true });
}

async function fleetBench(base: string) {
  console.log(
    `\n## Fleet: ${FLEET_RUNS} generated legacy runs (~75 KB each), two migrations each, zip archive guard\n`,
  );
  console.log('| concurrency | seconds | runs/s | speed-up vs 1 |');
  console.log('|---:|---:|---:|---:|');
  let first = 0;
  for (const concurrency of [1, 2, 4]) {
    const root = join(base, `fleet-${concurrency}`);
    const template = await buildLegacyRun(join(base, 'template'), { runId: 'tmpl' });
    for (let i = 0; i < FLEET_RUNS; i++) {
      const id = `r${String(i).padStart(5, '0')}`;
      await cp(template, join(root, id.slice(0, 2), id), { recursive: true, verbatimSymlinks: true });
    }
    await rm(join(base, 'template'), { recursive: true });
    const t0 = performance.now();
    const summary = await fleetUp(root, { plugin: fleetTestPlugin(), concurrency });
    const secs = ms(t0) / 1000;
    if (summary.counts.migrated !== FLEET_RUNS)
      throw new Error(`expected ${FLEET_RUNS} migrated, got ${JSON.stringify(summary.counts)}`);
    const rate = FLEET_RUNS / secs;
    first ||= rate;
    console.log(`| ${concurrency} | ${secs.toFixed(1)} | ${rate.toFixed(1)} | ${(rate / first).toFixed(2)} |`);
    await rm(root, { recursive: true, force: true });
  }

  console.log('\n## Cost vs run size (zip guard vs hard-link guard, 3 runs each, concurrency 1)\n');
  console.log('| extra data per run | zip: ms/run | hard-link: ms/run | zip / hard-link |');
  console.log('|---:|---:|---:|---:|');
  for (const sizeMb of [0, 1, 10, 50]) {
    const cost: Record<string, number> = {};
    for (const snapshot of ['zip', 'hardlink'] as const) {
      const root = join(base, `size-${sizeMb}-${snapshot}`);
      for (let i = 0; i < 3; i++) {
        const dir = await buildLegacyRun(root, { runId: `s${sizeMb}x${i}` });
        if (sizeMb > 0)
          await writeFile(join(dir, 'wepp', 'output', 'big.csv'), csvText(Math.round((sizeMb * 1024 * 1024) / 110), i));
      }
      const t0 = performance.now();
      const summary = await fleetUp(root, { plugin: fleetTestPlugin(), concurrency: 1, snapshot });
      if (summary.counts.migrated !== 3) throw new Error(`size bench: ${JSON.stringify(summary.counts)}`);
      cost[snapshot] = ms(t0) / 3;
      await rm(root, { recursive: true, force: true });
    }
    console.log(`| ${sizeMb} MB | ${fmt(cost.zip!)} | ${fmt(cost.hardlink!)} | ${fmt(cost.zip! / cost.hardlink!)} |`);
  }
}

const base = await mkdtemp(join(tmpdir(), 'tidemark-bench-run-dirs-'));
try {
  await archiveBench(base);
  await fleetBench(base);
} finally {
  await rm(base, { recursive: true, force: true });
}
