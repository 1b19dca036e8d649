// Operators run `tidemark-run-dirs up <root>` over a tree of legacy runs. Over a tree holding every golden case
// (real-shaped runs in both the `<root>/<prefix>/<runid>` and the older `<root>/<runid>` layout), every run the
// real tools migrate comes out exactly as its golden after/, and every refused run is left byte-identical
// (Tidemark's own `.tidemark/` ledger aside).
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleetCli } from './fleet/cli.js';
import { parseLogLine } from './fleet/log-line.js';
import { readRunState, writeRunState } from './run-state.js';
import { fixtureCases } from './test/fixture-cases.js';
import { FIXTURES_DIR } from './test/fixtures-dir.js';
import { loadFixtureRun } from './test/harness.js';

/** Every entry but `.tidemark/`: type, permission bits, sha256 of the bytes. */
async function bytesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === '.tidemark' || r.startsWith('.tidemark/')) continue;
      const st = await lstat(join(dir, r));
      if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o7777).toString(8)}`;
        await walk(r);
      } else if (st.isSymbolicLink())
        out[r] = `link ${await readlink(join(dir, r))}`; // never followed: it may point anywhere
      else
        out[r] = `file ${(st.mode & 0o7777).toString(8)} ${createHash('sha256')
          .update(await readFile(join(dir, r)))
          .digest('hex')}`;
    }
  };
  await walk('');
  return out;
}

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  return { io: { stdout: out, stderr: err, env: {} }, text: () => ({ stdout, stderr }) };
}

// A folder is a run when it holds a `.nodb` file or `nodb.version` (as the real tools walk a tree): a new run
// without either (new-run-current-layout) is not one.
const cases = fixtureCases.filter((c) =>
  Object.keys(c.before.files).some((f) => !f.includes('/') && (f.endsWith('.nodb') || f === 'nodb.version')),
);

describe('tidemark-run-dirs up over a tree of real-shaped legacy runs', () => {
  let base: string;
  const runDir: Record<string, string> = {};
  const before: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'tidemark-legacy-tree-'));
    for (const [i, c] of cases.entries()) {
      const id = c.before.runId;
      // every third run in the older flat layout, the rest under their prefix
      const dir = i % 3 === 2 ? join(base, 'runs', id) : join(base, 'runs', id.slice(0, 2), id);
      await writeRunState(c.before, dir);
      runDir[c.name] = dir;
      before[c.name] = await bytesOf(dir);
    }
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('migrates every run the real tools migrate (to its golden after/) and leaves every refused run byte-identical', async () => {
    const cli = capture();
    const code = await runFleetCli(
      ['up', join(base, 'runs'), '--snapshot', 'hardlink', '--concurrency', '2', '--no-progress'],
      cli.io,
    );
    const lines = cli
      .text()
      .stdout.trim()
      .split('\n')
      .map((l) => parseLogLine(l));
    expect(cases.length).toBeGreaterThan(20);
    expect(lines).toHaveLength(cases.length);
    const refused = cases.filter((c) => c.spec.expectError !== undefined);
    // READONLY is a refusal, not a failure: only refusals by a step make the exit code 1
    expect(code).toBe(refused.some((c) => !c.name.startsWith('readonly')) ? 1 : 0);
    for (const c of cases) {
      const line = lines.find((l) => l.run === c.before.runId);
      const dir = runDir[c.name]!;
      if (c.spec.expectError === undefined) {
        expect(line?.status, `${c.name}: ${JSON.stringify(line)}`).toBe('migrated');
        expect(await readRunState({ dir, runId: c.before.runId }), `${c.name} equals its golden after/`).toEqual(
          await loadFixtureRun(join(FIXTURES_DIR, c.name, 'after')),
        );
      } else {
        expect(line?.status, `${c.name}: ${JSON.stringify(line)}`).toBe('failed');
        expect(await bytesOf(dir), `${c.name} is byte-identical`).toEqual(before[c.name]);
      }
    }
    // and a second pass changes nothing: migrated runs are unchanged, refused ones refused again, untouched
    const again = capture();
    await runFleetCli(['up', join(base, 'runs'), '--snapshot', 'hardlink', '--no-progress'], again.io);
    for (const l of again
      .text()
      .stdout.trim()
      .split('\n')
      .map((x) => parseLogLine(x))) {
      const c = cases.find((f) => f.before.runId === l.run)!;
      expect(l.status, c.name).toBe(c.spec.expectError === undefined ? 'unchanged' : 'failed');
      if (c.spec.expectError !== undefined) expect(await bytesOf(runDir[c.name]!)).toEqual(before[c.name]);
    }
  });
});
