import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { runSnapshotsCli } from './cli.js';
import { openPostgres } from './connect.js';
import { hasTable } from './inspect.js';
import { loadSampleData } from './sample-data.js';
import { loadState, readState } from './state.js';
import { sql } from './transaction.js';
import { createPgDatabase } from './test/databases.js';
import { runnerFor } from './test/scenarios.js';

const exec = promisify(execFile);

describe('tidemark-snapshots command', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  /** The sample data in a new database, opened with a password in its URL (trust auth ignores it). */
  async function sampleDb(): Promise<{ ds: DataSource; url: string }> {
    const db = await createPgDatabase();
    const url = new URL(db.url);
    url.password = 'hunter2';
    const ds = await openPostgres(url.toString(), 3);
    cleanup.push(async () => {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    });
    await loadState(ds, await loadSampleData());
    return { ds, url: url.toString() };
  }

  async function cli(args: string[], ds: DataSource | undefined, answer?: string) {
    let out = '';
    let err = '';
    const asked: string[] = [];
    const code = await runSnapshotsCli(args, {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      ask: async (q) => {
        asked.push(q);
        return answer ?? '';
      },
      ...(ds ? { dataSource: ds } : {}),
      env: {},
    });
    return { code, out, err, asked };
  }

  it('--dry-run prints the seed stats and changes nothing', async () => {
    const { ds } = await sampleDb();
    const before = await readState(ds);
    const r = await cli(['--dry-run'], ds);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Recipe Snapshot Migration');
    expect(r.out).toMatch(/Would migrate: 8\nSkipped \(no recipe\): 2\nErrors: 0/);
    expect(r.out).toContain('DRY RUN - No changes made');
    expect(r.asked).toEqual([]);
    expect(await readState(ds)).toEqual(before);
  });

  it("asks the seed's question; anything but y aborts before any write (exit 1)", async () => {
    const { ds } = await sampleDb();
    const before = await readState(ds);
    const r = await cli([], ds, 'n');
    expect(r.asked).toEqual(['Continue? [y/N]: ']);
    expect(r.out).toContain('WARNING: This will modify the database');
    expect(r.out).toContain('Aborted.');
    expect(r.code).toBe(1);
    expect(await readState(ds)).toEqual(before);
    expect(await hasTable(ds, 'tidemark_ledger')).toBe(false);
  });

  it('y: pg_dump backup of the touched tables, then the run, then the Migration Summary; no password anywhere', async () => {
    const { ds } = await sampleDb();
    const dir = await mkdtemp(join(tmpdir(), 'tm-snap-backup-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const r = await cli(['--backup-dir', dir], ds, 'y');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /Migration Summary\n=+\nTotal runs processed: 10\nAlready migrated: 0\nMigrated: 8\nSkipped \(no recipe\): 2\nErrors: 0/,
    );
    expect(r.out).not.toContain('DRY RUN');
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^tm_snap_\w+\.pre_migration\.\d{8}_\d{6}\.dump$/);
    expect(r.err).toContain(`backup: pg_dump ${join(dir, files[0]!)}`);
    const { stdout } = await exec('pg_restore', ['--list', join(dir, files[0]!)]);
    expect(stdout).toMatch(/TABLE DATA public production_runs/);
    expect(stdout).not.toMatch(/recipe_snapshots/); // it did not exist before the run
    expect(`${r.out}${r.err}`).not.toContain('hunter2');
    expect((await readState(ds)).recipe_snapshots).toHaveLength(8);
  });

  it('--yes --backup-method copy: a named schema copy, no question; a second run migrates nothing', async () => {
    const { ds } = await sampleDb();
    const r = await cli(['--yes', '--backup-method', 'copy'], ds);
    expect(r.asked).toEqual([]);
    expect(r.code).toBe(0);
    const [schema] = await sql<{ nspname: string }>(
      ds,
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tidemark_backup_%'",
    );
    expect(r.err).toContain(`backup: copy ${schema!.nspname}`);
    expect(
      Number((await sql<{ n: string }>(ds, `SELECT COUNT(*) AS n FROM ${schema!.nspname}.production_runs`))[0]!.n),
    ).toBe(10);
    const again = await cli(['--yes', '--no-backup'], ds);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/Already migrated: 8\nMigrated: 0/);
  });

  it('runs the database refuses: the summary lists them with their reason, exit 1', async () => {
    const { ds } = await sampleDb();
    await runnerFor(ds).runner.up({ to: '002_add_run_snapshot_link' });
    await sql(
      ds,
      `CREATE FUNCTION tm_bad() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'bad data in run %', NEW.id; END $$ LANGUAGE plpgsql`,
    );
    await sql(
      ds,
      `CREATE TRIGGER tm_bad BEFORE UPDATE OF recipe_snapshot_id ON production_runs FOR EACH ROW WHEN (NEW.id = 3 AND NEW.recipe_snapshot_id IS NOT NULL) EXECUTE FUNCTION tm_bad()`,
    );
    const r = await cli(['--yes', '--no-backup', '--batch-size', '4'], ds);
    expect(r.code).toBe(1);
    expect(r.err).toContain('1 production run(s) failed and were skipped');
    expect(r.out).toMatch(
      /Migrated: 7\nSkipped \(no recipe\): 2\nErrors: 1\n\nErrors:\n {2}Run 3: .*bad data in run 3/,
    );
  });

  it("--help prints the usage and exits 0; a database without the app's tables is one line, exit 1, before any question", async () => {
    const help = await cli(['--help'], undefined);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: tidemark-snapshots /);
    const db = await createPgDatabase();
    const ds = await openPostgres(db.url, 2);
    cleanup.push(async () => {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    });
    for (const args of [['--dry-run'], []]) {
      const r = await cli(args, ds, 'y');
      expect(r.code).toBe(1);
      expect(r.asked).toEqual([]);
      expect(r.err.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^\[tidemark\] \[plugin-snapshots\] postgres:\/\/.*: the recipe app's table\(s\) recipes, ingredients, recipe_ingredients, production_runs do not exist: .*; nothing was changed$/,
        ),
      ]);
    }
    expect(await hasTable(ds, 'recipe_snapshots')).toBe(false);
  });

  it('bad usage exits 2', async () => {
    expect((await cli(['--batch-size', 'ten'], undefined)).code).toBe(2);
    expect((await cli([], undefined)).code).toBe(2);
    expect((await cli(['--frobnicate'], undefined)).code).toBe(2);
  });
});
