// A fault at EVERY file operation a migration makes (write, rename, link, unlink, mkdir) of a run with all
// legacy shapes: with the default guards the run is restored whole and the ledger says nothing was applied;
// without any guard the file discipline alone never leaves a half-written or temp file. A rerun completes.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { injectFaultAt, onFileOp, TEMP_FILE } from './file-ops.js';
import { runDirsPlugin } from './plugin.js';
import { createRunFromState, readRunState, type RunState } from './run-state.js';
import { fixtureCases } from './test/fixture-cases.js';
import { loadFixtureRun } from './test/harness.js';
import { FIXTURES_DIR } from './test/fixtures-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const legacy = fixtureCases.find((c) => c.name === 'full-legacy-run')!;

async function fresh(state: RunState) {
  const { target, cleanup } = await createRunFromState(state);
  cleanups.push(cleanup);
  return target;
}

async function allFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await allFiles(dir, child)));
    else out.push(child);
  }
  return out;
}

describe('a fault at every file operation', () => {
  it('counts the operations of a clean run (the fault points)', async () => {
    const target = await fresh(legacy.before);
    const ops: string[] = [];
    const off = onFileOp((op) => void ops.push(`${op.kind} ${op.path.slice(target.dir.length + 1)}`));
    await createRunner({ plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }), target }).up();
    off();
    expect(ops.length).toBeGreaterThan(15);
    expect(ops.some((o) => o.startsWith('unlink watershed/hillslopes.csv'))).toBe(true);
  });

  it('with the default guards (hard-link snapshot): restored to before, ledger truthful, rerun reaches after', async () => {
    const after = await loadFixtureRun(join(FIXTURES_DIR, legacy.name, 'after'));
    const probe = await fresh(legacy.before);
    let total = 0;
    const off = onFileOp(() => void total++);
    await createRunner({ plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }), target: probe }).up();
    off();
    for (let n = 1; n <= total; n++) {
      const target = await fresh(legacy.before);
      const plugin = runDirsPlugin({ snapshot: 'hardlink', disk: false });
      let faulted = '';
      const uninstall = injectFaultAt(n, (op) => {
        faulted = op.path;
        return new Error(`injected fault at file operation #${op.n} (${op.kind} ${op.path})`);
      });
      try {
        await expect(createRunner({ plugin, target }).up(), `fault #${n}`).rejects.toThrow(
          /injected fault at file operation/,
        );
      } finally {
        uninstall();
      }
      expect(await readRunState(target), `fault #${n}: run restored`).toEqual(legacy.before);
      const entries = await plugin.ledger(target).read();
      expect(
        entries.filter((e) => e.outcome === 'applied'),
        `fault #${n}: nothing claimed applied`,
      ).toEqual([]);
      // A fault while writing the stamp (after every step) fails the run, not a step.
      expect(
        entries.filter((e) => e.outcome === 'failed'),
        `fault #${n} (${faulted})`,
      ).toHaveLength(faulted.endsWith('nodb.version') ? 0 : 1);
      await createRunner({ plugin, target }).up();
      expect(await readRunState(target), `fault #${n}: rerun`).toEqual(after);
    }
  }, 120_000);

  it('without any guard: every file is whole (as some step left it), never a temp; a rerun completes', async () => {
    const after = await loadFixtureRun(join(FIXTURES_DIR, legacy.name, 'after'));
    // Every version of every file that a prefix of the steps produces: a crash may leave any of them.
    const allowed = new Map<string, Set<string>>();
    const note = (state: RunState) => {
      for (const [rel, f] of Object.entries(state.files))
        allowed.set(rel, (allowed.get(rel) ?? new Set()).add(JSON.stringify(f)));
    };
    note(legacy.before);
    for (const m of runDirsPlugin().migrations) {
      const t = await fresh(legacy.before);
      await createRunner({ plugin: runDirsPlugin({ guards: [] }), target: t }).up({ to: m.id });
      note(await readRunState(t));
    }
    const probe = await fresh(legacy.before);
    let total = 0;
    const off = onFileOp(() => void total++);
    await createRunner({ plugin: runDirsPlugin({ guards: [] }), target: probe }).up();
    off();
    for (let n = 1; n <= total; n++) {
      const target = await fresh(legacy.before);
      const plugin = runDirsPlugin({ guards: [] });
      const uninstall = injectFaultAt(n, (op) => new Error(`injected fault at file operation #${op.n}`));
      try {
        await expect(createRunner({ plugin, target }).up()).rejects.toThrow(/injected fault/);
      } finally {
        uninstall();
      }
      expect(
        (await allFiles(target.dir)).filter((f) => TEMP_FILE.test(f)),
        `fault #${n}: temp files left`,
      ).toEqual([]);
      const state = await readRunState(target);
      for (const [rel, file] of Object.entries(state.files)) {
        if (rel === 'nodb.version' || 'dir' in file) continue; // an empty folder made before the fault holds no data
        expect(allowed.get(rel)?.has(JSON.stringify(file)), `fault #${n}: ${rel} is in a state no step leaves`).toBe(
          true,
        );
      }
      await createRunner({ plugin, target }).up();
      // Even a fault on the stamp write itself is repaired: a rerun with nothing to apply retries the stamp.
      expect(await readRunState(target), `fault #${n}: rerun`).toEqual(after);
    }
  }, 120_000);
});
