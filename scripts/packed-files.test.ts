// What a user downloads: the packed file list of every public package holds only what users run (dist/, the
// manifest, README and LICENSE), every `exports`/`bin` target is in it, and its source maps carry their sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  sideEffects?: boolean | string[];
  exports?: unknown;
  bin?: string | Record<string, string>;
}

const publicPackages = readdirSync(packagesDir)
  .filter((dir) => existsSync(join(packagesDir, dir, 'package.json')))
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as Manifest,
  }))
  .filter(({ manifest }) => manifest.private !== true);

const ALLOWED = /^(dist\/.+|package\.json|README\.md|LICENSE)$/;
// A path segment (folder or file stem) naming test, tooling or sample code.
const TOOLING =
  /(^|\/)(test|tests|__tests__|testdata|test_data|test-plugin|bench|benchmarks?|demo|e2e|fixtures|sample-data|sample)(\/|\.|$)|\.(test|spec|bench)\.[cm]?[jt]s/;

function targetsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targetsOf);
  return [];
}

const packed = new Map<string, string[]>();

function packedFiles(dir: string): string[] {
  const cached = packed.get(dir);
  if (cached) return cached;
  const cwd = join(packagesDir, dir);
  if (!existsSync(join(cwd, 'dist'))) {
    // npm test builds before vitest; a lone run builds what it needs rather than asserting on nothing.
    execFileSync('pnpm', ['turbo', 'run', 'build', `--filter=./packages/${dir}...`, '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  expect(existsSync(join(cwd, 'dist')), `${dir}: no dist/ after \`pnpm turbo run build\``).toBe(true);
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [report] = JSON.parse(out) as { files: { path: string }[] }[];
  if (!report) throw new Error(`${dir}: npm pack --dry-run --json printed no report`);
  const files = report.files.map((f) => f.path).sort();
  packed.set(dir, files);
  return files;
}

describe('packed file lists', () => {
  it('finds the public packages', () => {
    expect(publicPackages.map((p) => p.dir)).toEqual(
      expect.arrayContaining(['core', 'cli', 'plugin-telemetry', 'fleet']),
    );
  });

  describe.each(publicPackages)('$manifest.name', ({ dir, manifest }) => {
    it('packs only dist/, package.json, README.md and LICENSE, with no test/bench/demo/e2e code', () => {
      const files = packedFiles(dir);
      expect(
        files.filter((f) => !ALLOWED.test(f)),
        `${dir}: files outside dist/`,
      ).toEqual([]);
      expect(
        files.filter((f) => TOOLING.test(f)),
        `${dir}: test or tooling files in the tarball`,
      ).toEqual([]);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
      const targets = [...targetsOf(manifest.exports), ...targetsOf(manifest.bin)].map((t) => t.replace(/^\.\//, ''));
      expect(targets.length, `${dir}: no exports`).toBeGreaterThan(0);
      expect(
        targets.filter((t) => !files.includes(t)),
        `${dir}: exports/bin targets missing from the tarball`,
      ).toEqual([]);
    });

    it('ships source maps that embed their sources (src/ is not shipped)', () => {
      const maps = packedFiles(dir).filter((f) => f.endsWith('.map'));
      expect(maps.length, `${dir}: no source maps`).toBeGreaterThan(0);
      for (const map of maps) {
        const json = JSON.parse(readFileSync(join(packagesDir, dir, map), 'utf8')) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        expect(map.endsWith('.d.ts.map'), `${dir}/${map}: a declaration map points at unshipped src/`).toBe(false);
        expect(json.sourcesContent?.length, `${dir}/${map}: sourcesContent`).toBe(json.sources.length);
        expect(
          json.sourcesContent?.every((s) => typeof s === 'string' && s.length > 0),
          `${dir}/${map}: empty sources`,
        ).toBe(true);
      }
    });

    it('declares license, repository and sideEffects', () => {
      expect(manifest.license).toBe('MIT');
      expect(existsSync(join(packagesDir, dir, 'LICENSE')), `${dir}/LICENSE`).toBe(true);
      expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` });
      expect(manifest.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
      // A bin runs on import, so it is the one module a bundler must not drop; everything else is pure.
      const bins = targetsOf(manifest.bin).sort();
      expect(manifest.sideEffects).toEqual(bins.length > 0 ? bins : false);
    });
  });
});
