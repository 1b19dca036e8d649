// kill -9 of a booting replica in the middle of a migration, then the next boot: the dead lease expires,
// the run completes, and the database ends exactly as a clean run leaves it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRunner, runPendingMigrations } from '@tidemark/core';
import type { Db } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { mongoPlugin } from './plugin.js';
import { readState, stateText } from './state.js';
import { useBackend, freshDb } from './test/backend.js';
import { labletWorker, legacyWorker } from './test/workers.js';
import { contextsFromFlags } from './flags.js';

const mongo = useBackend();

async function legacyDb(): Promise<Db> {
  const db = await freshDb(mongo.client);
  await db
    .collection('cml_workers')
    .insertMany(Array.from({ length: 2000 }, (_, i) => (i % 3 === 2 ? labletWorker(i) : legacyWorker(i))) as never[]);
  return db;
}

const exact = async (db: Db) => stateText(await readState(db, { exact: true }));

/** Boots a replica in a child process and SIGKILLs it when it prints `killAt`. */
function bootAndKill(db: Db, killAt: string): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./test/boot-child.ts', import.meta.url)),
      mongo.backend.uri,
      db.databaseName,
    ],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const seen: string[] = [];
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        seen.push(line.trim());
        if (line.trim() === killAt) child.kill('SIGKILL');
      }
    });
    child.once('exit', (code, signal) =>
      signal === 'SIGKILL'
        ? resolve(seen)
        : reject(new Error(`child exited ${code} before "${killAt}": ${seen.join(' | ')} ${err}`)),
    );
  });
}

describe('a replica killed mid-migration', () => {
  for (const killAt of [
    'event step:started 001_lablet_collections',
    'event step:started 002_cml_worker_extensions',
    'event step:finished 002_cml_worker_extensions',
  ]) {
    test(
      `killed at "${killAt}": the next boot takes over the expired lease and completes`,
      { timeout: 60_000 },
      async () => {
        const clean = await legacyDb();
        await createRunner({ plugin: mongoPlugin(), target: clean }).up();
        const upX = await exact(clean);
        await clean.dropDatabase();

        const db = await legacyDb();
        try {
          const seen = await bootAndKill(db, killAt);
          expect(seen).toContain(killAt);
          const result = await runPendingMigrations({
            plugin: mongoPlugin(),
            target: db,
            contexts: contextsFromFlags({ LABLET_ENABLED: true }),
            lock: { pollMs: 20 },
          });
          // Killed after the last step was recorded: nothing is left to do, and the boot costs one ledger read.
          const lastRecorded = killAt === 'event step:finished 002_cml_worker_extensions';
          expect(result.outcome).toBe(lastRecorded ? 'up-to-date' : 'migrated');
          expect(await exact(db)).toBe(upX);
          const entries = await mongoPlugin().ledger(db).read();
          expect(entries.map((e) => e.id).sort()).toEqual(['001_lablet_collections', '002_cml_worker_extensions']);
          expect(entries.every((e) => e.outcome === 'applied' || e.outcome === 'baselined')).toBe(true);
          await new Promise((r) => setTimeout(r, 1600));
          expect(await mongoPlugin().ledger(db).lock.inspect(), 'the dead lease has expired').toBeNull();
          // The dead run's snapshot is abandoned by the next run that has work; until then it is only storage.
          if (!lastRecorded)
            expect(await db.collection('_tidemark_snapshots').countDocuments({ kind: 'header', state: 'open' })).toBe(
              0,
            );
        } finally {
          await db.dropDatabase();
        }
      },
    );
  }
});
