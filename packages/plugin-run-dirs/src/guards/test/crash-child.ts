// Child process of the kill -9 test: migrates the run given in argv and hangs half-way through a step.
import { createRunner } from '@tidemark/core';
import { runDirsPlugin } from '../../plugin.js';
import { archiveGuard, hardlinkSnapshotGuard } from '../snapshot-guard.js';
import { guardTestMigrations } from './guard-migrations.js';

const [dir, kind, hangIn] = process.argv.slice(2);
const guard = kind === 'hardlink' ? hardlinkSnapshotGuard() : archiveGuard();
const plugin = runDirsPlugin({ builtIn: false, migrations: guardTestMigrations({ hangIn: hangIn! }), guards: [guard] });
await createRunner({ plugin, target: { dir: dir! }, lock: { ttlMs: 1500 } }).up();
