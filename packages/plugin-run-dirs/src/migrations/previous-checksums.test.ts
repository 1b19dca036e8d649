// Runs migrated by release 0.1.0 (43208b9) carry that release's checksums for 004 and 005, whose source has
// changed since: they read as no drift, while any other recorded checksum still does.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runDirsPlugin } from '../plugin.js';
import { createRunFromState } from '../run-state.js';
import { FIXTURES_DIR } from '../test/fixtures-dir.js';
import { loadFixtureRun } from '../test/harness.js';
import { migrations } from './index.js';

const RELEASE_0_1 = { '004_watershed_tables': ['ce228d8f79b3c061', 'ddab1b2bbbab28fa'], '005_wbt_geojson_ids': ['3bf698117d4b272a', 'cf26964dc6a5253a'] } as const;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('previousChecksums of the built-in migrations', () => {
  it('004 and 005 declare what 0.1.0 recorded (tsc build and tsx); the others are unchanged since and declare none', () => {
    for (const m of migrations) {
      const previous = RELEASE_0_1[m.id as keyof typeof RELEASE_0_1] ?? [];
      // After the declared ones core adds at most one: 0.1's checksum of today's definition (legacyChecksumOf).
      expect(m.previousChecksums?.slice(0, previous.length) ?? [], m.id).toEqual(previous);
      expect(m.previousChecksums?.length ?? 0, m.id).toBeLessThanOrEqual(previous.length + 1);
      expect(previous).not.toContain(m.checksum);
    }
  });

  it('a run whose ledger holds 0.1.0\'s checksums for 004/005 shows no drift; an unknown checksum is drift', async () => {
    const run = await createRunFromState(await loadFixtureRun(join(FIXTURES_DIR, 'full-legacy-run', 'before')));
    cleanup = run.cleanup;
    const runner = () => createRunner({ plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }), target: run.target });
    await runner().up();
    const ledgerFile = join(run.target.dir, '.tidemark', 'ledger.json');
    const setChecksums = async (sums: Record<string, string>) => {
      const doc = JSON.parse(await readFile(ledgerFile, 'utf8')) as { entries: { id: string; checksum: string; outcome: string }[] };
      for (const e of doc.entries) if (sums[e.id]) e.checksum = sums[e.id]!;
      expect(doc.entries.filter((e) => sums[e.id]).every((e) => e.outcome === 'applied')).toBe(true);
      await writeFile(ledgerFile, JSON.stringify(doc));
    };
    for (const i of [0, 1]) {
      await setChecksums({ '004_watershed_tables': RELEASE_0_1['004_watershed_tables'][i]!, '005_wbt_geojson_ids': RELEASE_0_1['005_wbt_geojson_ids'][i]! });
      const verified = await runner().verify();
      expect(verified.plan.drift).toEqual([]);
      expect(verified.plan.steps).toEqual([]);
    }
    await setChecksums({ '004_watershed_tables': RELEASE_0_1['005_wbt_geojson_ids'][0] });
    expect((await runner().verify()).plan.drift).toEqual([{ kind: 'checksum', id: '004_watershed_tables', recorded: RELEASE_0_1['005_wbt_geojson_ids'][0], current: migrations.find((m) => m.id === '004_watershed_tables')!.checksum }]);
  });
});
