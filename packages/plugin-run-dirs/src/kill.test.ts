// kill -9 of a migrating process at several file operations, then reruns in this process: the dead holder's
// lease expires by itself, the snapshot guard restores the interrupted run (and says so), and the next run
// ends in the golden after-state.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunner } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runDirsPlugin } from './plugin.js';
import { createRunFromState, readRunState } from './run-state.js';
import { fixtureCases } from './test/fixture-cases.js';
import { FIXTURES_DIR } from './test/fixtures-dir.js';
import { loadFixtureRun } from './test/harness.js';
import { LOCK_FILE } from './target.js';
import { isFile } from './run-files.js';

const child = fileURLToPath(new URL('./test/kill-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function runChild(
  dir: string,
  runId: string,
  killAt: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, runId, String(killAt)], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('kill -9 while migrating, then rerun', () => {
  const legacy = fixtureCases.find((c) => c.name === 'full-legacy-run')!;
  for (const killAt of [3, 17]) {
    it(`killed at file operation #${killAt}`, async () => {
      const after = await loadFixtureRun(join(FIXTURES_DIR, legacy.name, 'after'));
      const { target, cleanup } = await createRunFromState(legacy.before);
      cleanups.push(cleanup);
      const result = await runChild(target.dir, target.runId!, killAt);
      expect(result.signal, result.out).toBe('SIGKILL');
      expect(await isFile(join(target.dir, LOCK_FILE)), 'the dead process still holds its lease file').toBe(true);
      const r = createRunner({
        plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }),
        target,
        lock: { waitMs: 20_000 },
      });
      // The snapshot guard's preflight finds the interrupted run and restores it before the plan is made; the
      // same up then migrates the whole run.
      const seen: string[] = [];
      r.events.on((e) => {
        if (e.type === 'guard') seen.push(e.action);
      });
      await r.up();
      expect(seen).toContain('interrupted-run-restored');
      expect(await readRunState(target)).toEqual(after);
      expect((await r.plan()).steps).toEqual([]);
      expect((await r.verify()).ok).toBe(true);
    }, 60_000);
  }
});
