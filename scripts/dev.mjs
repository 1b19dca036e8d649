#!/usr/bin/env node
// Front door for a fresh machine: provisions pnpm (from the npm registry; corepack's signature check fails
// here) and the workspace (whose `node` devDependency brings Node 24), then runs the asked-for job on Node 24.
// Runs on whatever Node the machine has (>= 18), so it sticks to plain JavaScript.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
    console.error(`[tidemark] the tests need Debian packages: ${names.join(' ')} (apt-get install -y ${names.join(' ')})`);
    return;
  }
  console.log(`[tidemark] installing Debian packages the tests use: ${names.join(' ')}`);
  must('apt-get', ['update', '-qq']);
  const code = run('apt-get', ['install', '-y', '-qq', ...names], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (code !== 0) process.exit(code);
}

const jobs = {
  setup: () => {},
  demo: () => must('pnpm', ['--filter', '@tidemark/demo', 'run', 'demo', ...process.argv.slice(3).filter((a) => a !== '--')]),
  test: () => {
    debianTools();
    must('pnpm', ['turbo', 'run', 'build', 'typecheck', 'lint', 'check:package', '--output-logs=errors-only']);
    must('pnpm', ['vitest', 'run']);
  },
  bench: () => must('pnpm', ['turbo', 'run', 'bench', '--concurrency=1', '--output-logs=full']),
  mutation: () => must('pnpm', ['--filter', '@tidemark/core', 'run', 'mutation']),
};

const job = process.argv[2] ?? 'test';
if (!(job in jobs)) {
  console.error(`[tidemark] unknown job "${job}"; one of: ${Object.keys(jobs).join(', ')}`);
  process.exit(2);
}
setup();
jobs[job]();
