#!/usr/bin/env node
// Front door for a fresh machine: provisions pnpm (from the npm registry; corepack's signature check fails
// here) and the workspace (whose `node` devDependency brings Node 24), then runs the asked-for job on Node 24.
// Runs on whatever Node the machine has (>= 18), so it sticks to plain JavaScript.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}
function must(cmd, args) {
  const code = run(cmd, args);
  if (code !== 0) process.exit(code);
}
function has(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

function setup() {
  if (has('pnpm', ['--version']) !== pnpmVersion) {
    console.log(`[tidemark] installing pnpm@${pnpmVersion} from the npm registry`);
    must('npm', ['install', '--global', '--loglevel=error', `pnpm@${pnpmVersion}`]);
  }
  const lockfile = existsSync(join(root, 'pnpm-lock.yaml'));
  must('pnpm', ['install', ...(lockfile && process.env.CI ? ['--frozen-lockfile'] : [])]);
  const nodeVersion = has(join(bin, 'node'), ['--version']);
  console.log(`[tidemark] workspace ready on Node ${nodeVersion}`);
}

/**
 * Debian tools the tests drive for real: Chromium (the fleet dashboard's end-to-end tests), zip/unzip
 * (archives must interoperate with Info-ZIP) and aria2 (run-sync downloads as WEPPcloud's own job does). Installed when missing and we may (root + apt-get).
 */
function debianTools() {
  const wanted = [
    ['chromium', '/usr/bin/chromium'],
    ['zip', '/usr/bin/zip'],
    ['unzip', '/usr/bin/unzip'],
    ['aria2', '/usr/bin/aria2c'],
  ].filter(([, path]) => !existsSync(path));
  if (wanted.length === 0) return;
  const names = wanted.map(([name]) => name);
  if (process.getuid?.() !== 0 || !has('apt-get', ['--version'])) {
    console.error(
      `[tidemark] the tests need Debian packages: ${names.join(' ')} (apt-get install -y ${names.join(' ')})`,
    );
    return;
  }
  console.log(`[tidemark] installing Debian packages the tests use: ${names.join(' ')}`);
  must('apt-get', ['update', '-qq']);
  const code = run('apt-get', ['install', '-y', '-qq', ...names], {
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (code !== 0) process.exit(code);
}

const jobs = {
  setup: () => {},
  demo: () =>
    must('pnpm', ['--filter', '@tidemark/demo', 'run', 'demo', ...process.argv.slice(3).filter((a) => a !== '--')]),
  test: () => {
    debianTools();
    must('pnpm', ['turbo', 'run', 'build', 'typecheck', 'lint', 'check:package', '--output-logs=errors-only']);
    must('pnpm', ['vitest', 'run']);
  },
  bench: () => must('pnpm', ['turbo', 'run', 'bench', '--concurrency=1', '--output-logs=full']),
  mutation: () => mutation(process.argv.slice(3).filter((a) => a !== '--')),
};

/**
 * Stryker on each package that names a `mutation` script, one at a time (the machine is shared; each run uses
 * its config's concurrency), then one summary line per package from its JSON report. Every package runs even
 * when an earlier one is below its break threshold; the job fails if any was.
 */
const mutationPackages = [
  ['@tidemark/core', 'packages/core'],
  ['@tidemark/plugin-telemetry', 'packages/plugin-telemetry'],
  ['@tidemark/plugin-run-dirs', 'packages/plugin-run-dirs'],
];
function mutation(only) {
  const chosen =
    only.length > 0
      ? mutationPackages.filter(([name, dir]) => only.some((o) => name.endsWith(o) || dir.endsWith(o)))
      : mutationPackages;
  // The plugins' tests import @tidemark/core and the rest through their built dist, as an app does.
  must('pnpm', [
    'turbo',
    'run',
    'build',
    '--output-logs=errors-only',
    ...chosen.map(([name]) => `--filter=${name}^...`),
  ]);
  const results = [];
  for (const [name, dir] of chosen) {
    const report = join(root, dir, 'reports', 'mutation', 'mutation.json');
    rmSync(report, { force: true });
    const code = run('pnpm', ['--filter', name, 'run', 'mutation']);
    results.push({ name, dir, code, ...mutationScore(report) });
  }
  console.log('\n[tidemark] mutation scores');
  for (const r of results) {
    const verdict = r.code === 0 ? 'ok' : r.score === null ? `failed (exit ${r.code})` : `below break ${r.breakAt}`;
    const score =
      r.score === null
        ? 'no report'
        : `${r.score.toFixed(2)}% (${r.detected} killed or timed out / ${r.valid}; break ${r.breakAt})`;
    console.log(`  ${r.name.padEnd(28)} ${score} ${verdict}  ${r.dir}/reports/mutation/index.html`);
  }
  if (results.some((r) => r.code !== 0)) process.exit(1);
}
/** Stryker's mutation score from its JSON report: detected / (detected + undetected); errors and ignored left out. */
function mutationScore(report) {
  if (!existsSync(report)) return { score: null };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  let detected = 0;
  let valid = 0;
  for (const file of Object.values(json.files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') detected += 1;
      if (m.status === 'Killed' || m.status === 'Timeout' || m.status === 'Survived' || m.status === 'NoCoverage')
        valid += 1;
    }
  }
  const config = JSON.parse(readFileSync(join(dirname(dirname(dirname(report))), 'stryker.config.json'), 'utf8'));
  return {
    score: valid === 0 ? 0 : (detected / valid) * 100,
    detected,
    valid,
    breakAt: config.thresholds?.break ?? 'none',
  };
}

const job = process.argv[2] ?? 'test';
if (!(job in jobs)) {
  console.error(`[tidemark] unknown job "${job}"; one of: ${Object.keys(jobs).join(', ')}`);
  process.exit(2);
}
setup();
jobs[job]();
