// Golden cases: fixtures/<plugin>/<case>/{before,after}. before -> up == after; up twice == up once;
// where reversible, down(after) == before. TIDEMARK_UPDATE_GOLDEN=1 rewrites after/ for review in git.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner } from '@tidemark/core';
import { describe, expect, test } from 'vitest';
import { normalized, pluginFor, type PluginHarness } from './harness.js';

export interface GoldenOptions {
  /** Folder holding one sub-folder per case. */
  dir: string;
  /** Per-test timeout. */
  timeout?: number;
}

/** Optional `case.json` beside before/ and after/. */
export interface CaseSpec {
  /** The migration must fail with an error containing this text, and leave the target as before. */
  expectError?: string;
  /** Override the harness: this case is not reversible (or is). */
  reversible?: boolean;
  description?: string;
}

export const UPDATE_ENV = 'TIDEMARK_UPDATE_GOLDEN';

export function listCases(dir: string): { name: string; path: string; spec: CaseSpec }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'before')))
    .map((e) => {
      const specFile = join(dir, e.name, 'case.json');
      const spec = existsSync(specFile) ? (JSON.parse(readFileSync(specFile, 'utf8')) as CaseSpec) : {};
      return { name: e.name, path: join(dir, e.name), spec };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function describeGolden<T, S>(harness: PluginHarness<T, S>, options: GoldenOptions): void {
  const cases = listCases(options.dir);
  const update = process.env[UPDATE_ENV] === '1' || process.env[UPDATE_ENV] === 'true';
  describe(`golden ${options.dir}`, () => {
    test('has at least one case', () => {
      expect(cases.length, `no <case>/before folders under ${options.dir}`).toBeGreaterThan(0);
    });
    for (const c of cases) {
      test(c.name, { timeout: options.timeout ?? 60_000 }, async () => {
        const before = normalized(harness, await harness.fixture.load(join(c.path, 'before')));
        const target = await harness.create(before);
        try {
          const runner = createRunner({ ...harness.runner, plugin: pluginFor(harness, target), target });
          if (c.spec.expectError !== undefined) {
            await expect(runner.up()).rejects.toThrow(c.spec.expectError);
            expect(
              normalized(harness, await harness.read(target)),
              'a failed case leaves the target as it was',
            ).toEqual(before);
            return;
          }
          await runner.up();
          const actual = normalized(harness, await harness.read(target));
          const afterDir = join(c.path, 'after');
          if (update) {
            await rm(afterDir, { recursive: true, force: true });
            await harness.fixture.write(actual, afterDir);
          } else {
            expect(existsSync(afterDir), `${afterDir} is missing; run with ${UPDATE_ENV}=1 to write it`).toBe(true);
            const expected = normalized(harness, await harness.fixture.load(afterDir));
            expect(actual, `up(before) must equal ${afterDir}`).toEqual(expected);
          }

          const again = await runner.up();
          expect(again.applied, 'up twice applies nothing the second time').toEqual([]);
          expect(normalized(harness, await harness.read(target)), 'up twice == up once').toEqual(actual);

          if (c.spec.reversible ?? harness.reversible) {
            await runner.down({ to: null });
            expect(normalized(harness, await harness.read(target)), 'down(after) == before').toEqual(before);
          }
        } finally {
          await harness.dispose(target);
        }
      });
    }
  });
}
