// kill -9 of a migrating process, then a rerun: the run ends whole (restored, then migrated), never half.
import { spawn } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunner, type TidemarkEvent } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { readLedgerEntries } from '../ledger.js';
import { runDirsPlugin } from '../plugin.js';
import { archiveGuard, hardlinkSnapshotGuard } from './snapshot-guard.js';
import { guardTestMigrations } from './test/guard-migrations.js';
import { createTempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { dataState } from './test/tree-state.js';

const tsx = createRequire(import.meta.url).resolve('tsx');
const child = fileURLToPath(new URL('./test/crash-child.ts', import.meta.url));

/** Starts the child, waits until it is half-way through `hangIn`, and kills it with SIGKILL. */
async function killHalfWay(dir: string, kind: string, hangIn: string): Promise<void> {
  const proc = spawn(process.execPath, ['--import', tsx, child, dir, kind, hangIn], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never got half-way: ${err}`)), 30_000);
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('HALF-WAY')) {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        resolve();
      }
    });
    proc.on('exit', (code) => reject(new Error(`child exited (${code}) before half-way: ${err}`)));
  });
  await new Promise((r) => proc.once('exit', r));
}

describe.each([
  ['zip', () => archiveGuard()],
  ['hardlink', () => hardlinkSnapshotGuard()],
] as const)('kill -9 mid-migration (%s guard)', (kind, makeGuard) => {
  it('the rerun restores the run from the snapshot, then migrates it whole', { timeout: 60_000 }, async () => {
    const tmp = await createTempFolder('tidemark-guards-');
    try {
      const dir = await buildLegacyRun(tmp.path, { runId: 'rlew-crash' });
      const reference = join(tmp.path, 'reference');
      await cp(dir, reference, { recursive: true, verbatimSymlinks: true });
      const before = await dataState(dir);
      const plugin = () => runDirsPlugin({ builtIn: false, migrations: guardTestMigrations(), guards: [makeGuard()] });
      await createRunner({ plugin: plugin(), target: { dir: reference } }).up();
      const migrated = await dataState(reference);

      await killHalfWay(dir, kind, 'g002-geojson-ids');
      const half = await dataState(dir);
      expect(half).not.toEqual(before);
      expect(half).not.toEqual(migrated);
      expect((await readLedgerEntries({ dir })).map((e) => e.id)).toEqual(['g001-watershed-csv']);

      // The rerun waits out the dead process's lease, finds the in-flight journal in preflight (before it plans),
      // restores the run, says so, then plans on the whole run and migrates it.
      const events: TidemarkEvent[] = [];
      const rerun = await createRunner({
        plugin: plugin(),
        target: { dir },
        lock: { waitMs: 10_000 },
        onEvent: (e) => events.push(e),
      }).up();
      expect(events.some((e) => e.type === 'guard' && e.action === 'interrupted-run-restored')).toBe(true);
      expect(rerun.applied).toEqual(['g001-watershed-csv', 'g002-geojson-ids']);
      expect(await dataState(dir)).toEqual(migrated);
    } finally {
      await tmp.remove();
    }
  });
});
