// A fresh legacy target for each test of a file: its own database on the machine's PostgreSQL (no tables
// yet) and a temp folder with config.json and logs/ as the extruder app left them; both are removed after
// the test. Read `.target` and `.knex` inside tests (they are set by then).
import type { Knex } from 'knex';
import { afterEach, beforeEach } from 'vitest';
import { writeLegacyFolder } from '../demo/sample-data.js';
import type { TelemetryTarget } from '../target.js';
import { createTestDb, tempDir, type TestDb } from './pg.js';

export interface LegacyTarget {
  /** What the runner migrates: the database's knex and the folder's paths. */
  readonly target: TelemetryTarget;
  /** The target's database, to read what a run left there. */
  readonly knex: Knex;
}

/** Registers the hooks that make and remove one legacy target per test, with `files` under logs/. */
export function useLegacyTarget(files: Record<string, string>): LegacyTarget {
  let db: TestDb | undefined;
  let dir: { path: string; remove(): Promise<void> } | undefined;
  let target: TelemetryTarget | undefined;

  beforeEach(async () => {
    db = await createTestDb();
    dir = await tempDir();
    target = { knex: db.knex, ...(await writeLegacyFolder(dir.path, files)) };
  });
  afterEach(async () => {
    await db?.drop();
    await dir?.remove();
    db = undefined;
    dir = undefined;
    target = undefined;
  });

  return {
    get target() {
      if (!target) throw new Error('the legacy target exists only inside a test');
      return target;
    },
    get knex() {
      if (!db) throw new Error('the legacy target exists only inside a test');
      return db.knex;
    },
  };
}
