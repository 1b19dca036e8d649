import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner, type Guard, type TidemarkEvent } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { injectFaultAt, onFileOp } from '../file-ops.js';
import { readLedgerEntries } from '../ledger.js';
import { runDirsPlugin } from '../plugin.js';
import type { RunDirTarget } from '../target.js';
import { runDirGuards } from './default-guards.js';
import { diskSpaceGuard } from './disk-space.js';
import { readonlyGuard } from './readonly.js';
import { guardReasonOf } from './refusal.js';
import { archiveGuard, hardlinkSnapshotGuard } from './snapshot-guard.js';
import { guardTestMigrations } from './test/guard-migrations.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { dataState, treeState } from './test/tree-state.js';

let tmp: TempFolder;
let target: RunDirTarget;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-guards-');
  target = { dir: await buildLegacyRun(tmp.path) };
});
afterEach(async () => tmp.remove());

function runner(guards: Guard<RunDirTarget>[], failIn?: string, events: TidemarkEvent[] = []) {
  const plugin = runDirsPlugin({ builtIn: false, migrations: guardTestMigrations(failIn ? { failIn } : {}), guards });
  return createRunner({ plugin, target, onEvent: (e) => events.push(e), lock: { waitMs: 2000, ttlMs: 5000 } });
}

/** How many hooked file operations a successful run makes (measured on a copy). */
async function countWrites(): Promise<number> {
  const other = await createTempFolder('tidemark-guards-');
  try {
    const t = { dir: await buildLegacyRun(other.path) };
    let n = 0;
    const off = onFileOp(() => {
      n++;
    });
    try {
      await createRunner({
        plugin: runDirsPlugin({ builtIn: false, migrations: guardTestMigrations() }),
        target: t,
      }).up();
    } finally {
      off();
    }
    return n;
  } finally {
    await other.remove();
  }
}

const kinds: [string, () => Guard<RunDirTarget>][] = [
  ['zip archive', () => archiveGuard()],
  ['hard-link snapshot', () => hardlinkSnapshotGuard()],
];

describe.each(kinds)('%s guard', (_name, makeGuard) => {
  it('a failing step: the run is restored byte for byte (permissions too), the ledger tells the truth, events name the statuses', async () => {
    const before = await dataState(target.dir);
    const events: TidemarkEvent[] = [];
    const error = await runner([makeGuard()], 'g002-geojson-ids', events)
      .up()
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/planned failure in g002/);
    expect(String(error)).toMatch(/restored to its state before the run/);
    expect(await dataState(target.dir)).toEqual(before);
    const ledger = await readLedgerEntries(target);
    expect(ledger.map((e) => [e.id, e.outcome])).toEqual([['g002-geojson-ids', 'failed']]);
    const statuses = events.flatMap((e) => (e.type === 'guard' ? [String(e.detail?.status)] : []));
    expect(statuses[0]).toMatch(/^(ARCHIVE|SNAPSHOT)_COMPLETE$/);
    expect(statuses).toContain('RESTORE_COMPLETE');
    const channel = events.find((e) => e.type === 'guard')!;
    expect(channel.type === 'guard' && channel.detail?.channel).toBe(`${target.dir.split('/').pop()}:archive`);
  });

  it('a fault injected at every file write of the run leaves the run exactly as before', async () => {
    const total = await countWrites();
    expect(total).toBeGreaterThanOrEqual(6);
    for (let k = 1; k <= total; k++) {
      const sub = await createTempFolder('tidemark-guards-');
      try {
        target = { dir: await buildLegacyRun(sub.path, { runId: 'rlew-fault' }) };
        const before = await dataState(target.dir);
        const off = injectFaultAt(k);
        try {
          await expect(runner([makeGuard()]).up(), `fault at write ${k}`).rejects.toThrow(/injected fault/);
        } finally {
          off();
        }
        expect(await dataState(target.dir), `fault at write ${k}`).toEqual(before);
        expect(
          (await readLedgerEntries(target)).filter((e) => e.outcome !== 'failed'),
          'no step claims to be applied',
        ).toEqual([]);
        // and the rerun completes the migration from the whole run
        const result = await runner([makeGuard()]).up();
        expect(result.applied).toEqual(['g001-watershed-csv', 'g002-geojson-ids']);
      } finally {
        await sub.remove();
      }
    }
  });

  it('success keeps the migrated run and records the snapshot; down() of the irreversible steps restores it', async () => {
    const before = await treeState(target.dir);
    const result = await runner([makeGuard()]).up();
    expect(result.applied).toHaveLength(2);
    const after = await treeState(target.dir);
    expect(after['watershed/hillslopes.json']).toBeDefined();
    expect(after['export/run.sh']).toMatch(/^file 600 /);
    expect(await readFile(join(target.dir, 'nodb.version'), 'utf8')).toBe('1002\n');
    const ledger = await readLedgerEntries(target);
    expect(ledger.every((e) => e.snapshot?.ref)).toBe(true);
    await runner([makeGuard()]).down({ to: null });
    expect(await treeState(target.dir)).toEqual(before);
  });
});

describe('refusals leave the run as it was', () => {
  it('READONLY: refused before any archive; data untouched', async () => {
    await writeFile(join(target.dir, 'READONLY'), '');
    const before = await treeState(target.dir);
    const archives = await readdir(join(target.dir, 'archives'));
    const error = await runner(runDirGuards())
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('READONLY');
    expect(String(error)).toMatch(/READONLY/);
    expect(await treeState(target.dir)).toEqual(before);
    expect(await readdir(join(target.dir, 'archives'))).toEqual(archives);
  });

  it('disk space: a clear error with the sizes; nothing written', async () => {
    const before = await treeState(target.dir);
    const error = await runner([readonlyGuard(), diskSpaceGuard({ reserveBytes: 2 ** 60 }), archiveGuard()])
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('DISK_SPACE');
    expect(String(error)).toMatch(/not enough free disk to migrate safely: need .* free on the run's filesystem/);
    expect(await treeState(target.dir)).toEqual(before);
  });
});

describe('hard-link snapshot soundness', () => {
  it('detects a file written in place after the snapshot and refuses to restore wrong bytes', async () => {
    const plugin = runDirsPlugin({
      builtIn: false,
      guards: [hardlinkSnapshotGuard()],
      migrations: [
        {
          ...guardTestMigrations()[0]!,
          id: 'bad-in-place',
          requires: [],
          async up(ctx) {
            await appendFile(join(ctx.target.dir, 'watershed.nodb'), ' appended in place');
            throw new Error('fails after an in-place write');
          },
        },
      ],
    });
    const error = await createRunner({ plugin, target })
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('RESTORE_FAILED');
    expect(String(error)).toMatch(/watershed\.nodb was modified in place/);
  });

  it('keeps at most `keep` snapshots', async () => {
    for (let i = 0; i < 3; i++) {
      await createRunner({
        plugin: runDirsPlugin({
          builtIn: false,
          guards: [hardlinkSnapshotGuard({ keep: 2 })],
          migrations: [
            {
              ...guardTestMigrations()[0]!,
              id: `touch-${i}`,
              requires: [],
              async up(c) {
                await writeFile(join(c.target.dir, `touched-${i}`), 'x');
              },
            },
          ],
        }),
        target,
      }).up();
    }
    expect(
      (await readdir(join(target.dir, '.tidemark', 'snapshots'))).filter((n) => !n.endsWith('.json')),
    ).toHaveLength(2);
  });
});
