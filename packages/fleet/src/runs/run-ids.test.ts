import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveFleetRunDir, resolveRunDir } from '../jobs/resolve-run.js';
import { buildLegacyPup, buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { assertFleetRunId, enclosingRunIds, familyOf, fleetRunIdOf } from './run-ids.js';

let root: string;
beforeEach(async () => {
  // A `_pups` folder above the root must not be taken for a parent run's.
  root = join(await mkdtemp(join(tmpdir(), 'tidemark-fleet-ids-')), '_pups', 'runs');
  await mkdir(root, { recursive: true });
});
afterEach(async () => {
  await rm(join(root, '..', '..'), { recursive: true, force: true });
});

describe('fleet run ids', () => {
  it('accepts run ids and <runid>/_pups/<path>; refuses what is not a safe key or channel name', () => {
    for (const ok of ['rlew-abc', 'rlew-abc/_pups/omni/scenarios/burned', 'a/_pups/x/_pups/y', 'a/_pups/x.y-z_1'])
      expect(() => assertFleetRunId(ok), ok).not.toThrow();
    for (const bad of [
      '',
      'a/omni',
      'a/_pups',
      'a/_pups/',
      'a/_pups//x',
      'a/_pups/../x',
      'a/_pups/.hidden',
      'a/_pups/a b',
      'a/_pups/a:b',
      'a/_pups/a*',
      'a/_pups/[x]',
      '../a/_pups/x',
      `a/_pups/${'x'.repeat(260)}`,
    ]) {
      expect(() => assertFleetRunId(bad), bad).toThrow(/is not a run id/);
    }
    expect(familyOf('rlew-abc/_pups/omni/scenarios/burned')).toBe('rlew-abc');
    expect(familyOf('rlew-abc')).toBe('rlew-abc');
    expect(enclosingRunIds('a/_pups/omni/x')).toEqual(['a', 'a/_pups', 'a/_pups/omni']);
    expect(enclosingRunIds('a')).toEqual([]);
  });

  it('names folders as discovery does and resolves names back to folders under a root', async () => {
    const top = await buildLegacyRun(root, { runId: 'rlew-abc', extras: [] });
    const pup = await buildLegacyPup(top, 'omni/scenarios/burned', { extras: [] });
    expect(await fleetRunIdOf(top)).toBe('rlew-abc');
    expect(await fleetRunIdOf(pup)).toBe('rlew-abc/_pups/omni/scenarios/burned');
    expect(await resolveFleetRunDir(root, 'rlew-abc/_pups/omni/scenarios/burned')).toBe(pup);
    expect(await resolveFleetRunDir(root, 'rlew-abc/_pups/omni/scenarios/mulch')).toBeNull();
    expect(await resolveFleetRunDir(root, 'rlew-zzz/_pups/omni')).toBeNull();
    expect(await resolveFleetRunDir(root, 'rlew-abc')).toBe(top);
    // run-sync and the run source deal in top-level runs only
    await expect(resolveRunDir(root, 'rlew-abc/_pups/omni/scenarios/burned')).rejects.toThrow(/is not a run id/);
    await expect(fleetRunIdOf(join(top, '_pups', 'omni', 'bad name'))).rejects.toThrow(
      /"rlew-abc\/_pups\/omni\/bad name" is not a run id/,
    );
  });
});
