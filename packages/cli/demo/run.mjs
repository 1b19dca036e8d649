#!/usr/bin/env node
// The real demo: the built `tidemark` binary on a copy of a small legacy target, end to end.
// status -> plan -> up -> verify -> down --all -> up, each printed as it happens; any unexpected exit code fails it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'dist', 'bin.js');
const config = join(here, 'tidemark.config.ts');
const example = join(here, 'legacy-notes');
const target = mkdtempSync(join(tmpdir(), 'tidemark-demo-'));
cpSync(example, target, { recursive: true });

const bold = (s) => (process.env.NO_COLOR ? s : `\u001b[1m${s}\u001b[0m`);
function tidemark(args, expected = 0) {
  console.log(`\n${bold(`$ tidemark ${args.join(' ')}`)}`);
  const res = spawnSync(process.execPath, [bin, ...args, '--config', config], {
    stdio: 'inherit',
    env: { ...process.env, TIDEMARK_DEMO_TARGET: target },
  });
  if (res.status !== expected) {
    console.error(`\n[demo] "tidemark ${args.join(' ')}" exited ${res.status}, expected ${expected}`);
    process.exit(1);
  }
}
function showNote(when) {
  const file = readdirSync(target).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()[0];
  console.log(`\n${bold(`${when}: ${file}`)}\n${readFileSync(join(target, file), 'utf8').trim()}`);
}

try {
  console.log(`[demo] legacy notes copied to ${target}`);
  showNote('before');
  tidemark(['status']);
  tidemark(['plan']);
  tidemark(['up']);
  showNote('after up');
  tidemark(['verify']);
  tidemark(['down', '--all']);
  showNote('after down --all');
  tidemark(['up']);
  tidemark(['verify', '--json']);
  tidemark(['status']);
  console.log('\n[demo] done: legacy notes upgraded, verified, rolled back and upgraded again with the built tidemark binary');
  fleetOfRuns();
} finally {
  rmSync(target, { recursive: true, force: true });
}

/**
 * Part 2: a fleet of real-format WEPPcloud run directories (parquet, GeoJSON, jsonpickle .nodb) from the golden
 * corpus, including a READONLY run and a corrupt one: scan, migrate at concurrency 2 under archive guards, scan.
 * The refused and the corrupt run are reported with their reason and left as they were (exit code 1 says so).
 */
function fleetOfRuns() {
  const repo = join(here, '..', '..', '..');
  const fleetBin = join(repo, 'packages', 'plugin-run-dirs', 'dist', 'fleet', 'bin.js');
  const corpus = join(repo, 'fixtures', 'plugin-run-dirs');
  const root = mkdtempSync(join(tmpdir(), 'tidemark-runs-'));
  const cases = ['full-legacy-run', 'jsonpickle-flat-stale-paths', 'watershed-string-ids-with-spaces', 'external-ash-interchange', 'readonly-run', 'bad-corrupt-parquet'];
  try {
    for (const c of cases) cpSync(join(corpus, c, 'before'), root, { recursive: true });
    console.log(`\n[demo] part 2: ${cases.length} legacy WEPPcloud runs copied to ${root}`);
    const fleet = (args, expected) => {
      console.log(`\n${bold(`$ tidemark-run-dirs ${args.join(' ')}`)}`);
      const res = spawnSync(process.execPath, [fleetBin, ...args], { stdio: 'inherit' });
      if (res.status !== expected) {
        console.error(`\n[demo] "tidemark-run-dirs ${args.join(' ')}" exited ${res.status}, expected ${expected}`);
        process.exit(1);
      }
    };
    fleet(['scan', root], 1);
    fleet(['up', root, '--concurrency', '2'], 1);
    fleet(['scan', root], 1);
    console.log('\n[demo] done: 4 runs migrated under archive guards (archives/<runid>.pre_migration.<ts>.zip), the READONLY and the corrupt run reported and left untouched');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
