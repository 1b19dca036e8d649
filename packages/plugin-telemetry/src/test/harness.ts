// @tidemark/testing harness: each target is its own random database on the machine's PostgreSQL (dropped in
// dispose) plus a temp folder holding config.json and logs/. `attach` opens a second knex pool on the same
// database (another process's view) for the concurrency law; `detach` closes it.
import { join } from 'node:path';
import type { PluginHarness } from '@tidemark/testing';
import type { Knex } from 'knex';
import { telemetryPlugin } from '../plugin.js';
import type { TelemetryTarget } from '../target.js';
import { legacyFolder } from './arbitrary.js';
import { createTestDb, tempDir, type TestDb } from './pg.js';
import {
  loadFixture,
  normalizeState,
  readState,
  writeFixture,
  writeFolder,
  type TelemetryState,
} from '../testing/state.js';

interface Owned {
  db: TestDb;
  root: string;
  remove(): Promise<void>;
}

const owned = new WeakMap<TelemetryTarget, Owned>();
const attached = new WeakMap<TelemetryTarget, Knex>();

export const telemetryHarness: PluginHarness<TelemetryTarget, TelemetryState> = {
  // closedAfterMs: 0: the harness's folders are history no logger writes any more (a last line without a
  // line end is rejected as truncated at once instead of held back for the logger to finish).
  plugin: telemetryPlugin({ closedAfterMs: 0 }),
  async create(state) {
    if (Object.keys(state.tables).length > 0)
      throw new Error('the telemetry harness creates targets from files only (legacy = no database yet)');
    const db = await createTestDb({ min: 0, max: 4 });
    const dir = await tempDir();
    await writeFolder(state.files, dir.path);
    const target: TelemetryTarget = {
      knex: db.knex,
      logsDir: join(dir.path, 'logs'),
      configPath: join(dir.path, 'config.json'),
      backupDir: join(dir.path, 'backups'),
    };
    owned.set(target, { db, root: dir.path, remove: dir.remove });
    return target;
  },
  async read(target) {
    const o = owned.get(target);
    if (!o) throw new Error('not a harness target');
    return readState(o.root, target.knex);
  },
  async dispose(target) {
    const o = owned.get(target);
    if (!o) return;
    await o.db.drop({ background: true });
    await o.remove();
  },
  fixture: { load: loadFixture, write: writeFixture },
  arbitrary: legacyFolder,
  reversible: true,
  normalize: normalizeState,
  // Each step is its own transaction (step-transaction guard): a fault leaves exactly the earlier steps.
  atomicity: 'step',
  async attach(target) {
    const o = owned.get(target)!;
    const knex = o.db.connect();
    const handle: TelemetryTarget = { ...target, knex };
    owned.set(handle, o);
    attached.set(handle, knex);
    return handle;
  },
  async detach(handle) {
    await attached.get(handle)?.destroy();
  },
};
