// `tidemark corpus capture` / `tidemark new` on a run directory: the case it writes is one the golden loader reads.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureRunDir } from './capture.js';
import { readRunState, writeRunState } from './run-state.js';
import { loadFixtureRun } from './test/harness.js';
import { fixtureCases } from './test/fixture-cases.js';

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'run-capture-'));
  temps.push(dir);
  return dir;
}

describe('captureRunDir', () => {
  it('writes before/<runid>/ with {RUN_DIR} placeholders and no ledger, which the golden loader reads back equal', async () => {
    const base = await temp();
    const run = join(base, 'rlew-capture');
    const legacy = fixtureCases[0]!;
    await writeRunState({ ...legacy.before, runId: 'rlew-capture' }, run);
    await writeFile(join(run, 'paths.json'), JSON.stringify({ wd: `${run}/wepp/runs` }));
    await mkdir(join(run, '.tidemark'), { recursive: true });
    await writeFile(join(run, '.tidemark', 'ledger.json'), '{"entries":[]}');

    const before = join(base, 'case', 'before');
    await captureRunDir({ dir: run }, before);

    expect(await readFile(join(before, 'rlew-capture', 'paths.json'), 'utf8')).toBe('{"wd":"{RUN_DIR}/wepp/runs"}');
    const loaded = await loadFixtureRun(before);
    expect(loaded).toEqual(await readRunState({ dir: run }));
    expect(Object.keys(loaded.files).some((f) => f.startsWith('.tidemark'))).toBe(false);
  });

  it('refuses a run holding a link to a file outside it, naming the link', async () => {
    const base = await temp();
    const run = join(base, 'rlew-link');
    await mkdir(join(run, 'wepp'), { recursive: true });
    await writeFile(join(base, 'secret.txt'), 'not part of the run');
    await symlink(join(base, 'secret.txt'), join(run, 'wepp', 'climate.cli'));
    const before = join(base, 'case', 'before');
    await expect(captureRunDir({ dir: run }, before)).rejects.toThrow(
      '[tidemark] [plugin-run-dirs] capture: wepp/climate.cli links outside the run',
    );
  });
});
