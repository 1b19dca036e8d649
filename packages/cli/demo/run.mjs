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
} finally {
  rmSync(target, { recursive: true, force: true });
}
