// The fixtures on disk are exactly what the generator (test/fixture-cases.ts) makes. TIDEMARK_WRITE_FIXTURES=1
// rewrites before/ and case.json (and after/ of failing cases, which must equal before/).
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { writeRunState } from './run-state.js';
import { fixtureCases } from './test/fixture-cases.js';
import { loadFixtureRun } from './test/harness.js';

import { FIXTURES_DIR } from './test/fixtures-dir.js';
const write = process.env.TIDEMARK_WRITE_FIXTURES === '1';

describe('fixture corpus', () => {
  for (const c of fixtureCases) {
    it(`${c.name} matches its generator`, async () => {
      const dir = join(FIXTURES_DIR, c.name);
      if (write) {
        await rm(join(dir, 'before'), { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await writeRunState(c.before, join(dir, 'before', c.before.runId), { keepPlaceholder: true });
        await writeFile(join(dir, 'case.json'), `${JSON.stringify(c.spec, null, 2)}\n`);
        if (c.spec.expectError !== undefined) {
          await rm(join(dir, 'after'), { recursive: true, force: true });
          await writeRunState(c.before, join(dir, 'after', c.before.runId), { keepPlaceholder: true });
        }
      }
      expect(existsSync(join(dir, 'before')), `${dir}/before missing: run with TIDEMARK_WRITE_FIXTURES=1`).toBe(true);
      expect(await loadFixtureRun(join(dir, 'before'))).toEqual(c.before);
      if (c.spec.expectError !== undefined)
        expect(await loadFixtureRun(join(dir, 'after')), 'a refused run stays as it was').toEqual(c.before);
    });
  }
});
