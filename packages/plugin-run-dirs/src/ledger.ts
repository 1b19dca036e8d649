// The run's ledger: `.tidemark/ledger.json` inside the run directory, so an archive or snapshot restore
// restores it together with the files it describes (`insideTarget`). Written atomically like every file.
import { readFile } from 'node:fs/promises';
import type { CheckpointStore, Ledger, LedgerEntry } from '@tidemark/core';
import { TidemarkError } from '@tidemark/core';
import { writeFileAtomic } from './file-ops.js';
import { fileLock } from './lock.js';
import { CHECKPOINTS_FILE, LEDGER_FILE, LOCK_FILE, describeTarget, runPath, type RunDirTarget } from './target.js';

export const LEDGER_FORMAT = 'tidemark.run-dirs.ledger/1';

export interface LedgerFile {
  format: typeof LEDGER_FORMAT;
  entries: LedgerEntry[];
}

async function readJson<T>(path: string, target: RunDirTarget, empty: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new TidemarkError('STEP_FAILED', `${path} is not valid JSON`, {
      plugin: 'plugin-run-dirs',
      target: describeTarget(target),
      cause: error,
    });
  }
}

export async function readLedgerEntries(target: RunDirTarget): Promise<LedgerEntry[]> {
  const path = runPath(target, LEDGER_FILE);
  const file = await readJson<LedgerFile | null>(path, target, null);
  if (file === null) return [];
  if (!Array.isArray(file.entries)) {
    throw new TidemarkError('STEP_FAILED', `${path} has no "entries" list`, {
      plugin: 'plugin-run-dirs',
      target: describeTarget(target),
    });
  }
  return file.entries;
}

async function writeEntries(target: RunDirTarget, entries: LedgerEntry[]): Promise<void> {
  const file: LedgerFile = { format: LEDGER_FORMAT, entries };
  await writeFileAtomic(runPath(target, LEDGER_FILE), `${JSON.stringify(file, null, 2)}\n`, { internal: true });
}

function fileCheckpoints(target: RunDirTarget): CheckpointStore {
  const path = runPath(target, CHECKPOINTS_FILE);
  const all = () => readJson<Record<string, unknown>>(path, target, {});
  const write = (data: Record<string, unknown>) =>
    writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`, { internal: true });
  return {
    async load(id) {
      return (await all())[id] ?? null;
    },
    async save(id, data) {
      await write({ ...(await all()), [id]: data });
    },
    async clear(id) {
      const data = await all();
      if (!(id in data)) return;
      delete data[id];
      await write(data);
    },
  };
}

export function runDirLedger(target: RunDirTarget): Ledger {
  return {
    read: () => readLedgerEntries(target),
    async record(entry) {
      const entries = await readLedgerEntries(target);
      await writeEntries(target, [...entries.filter((e) => e.id !== entry.id), entry]);
    },
    async remove(id) {
      const entries = await readLedgerEntries(target);
      if (entries.some((e) => e.id === id))
        await writeEntries(
          target,
          entries.filter((e) => e.id !== id),
        );
    },
    lock: fileLock(runPath(target, LOCK_FILE)),
    checkpoints: fileCheckpoints(target),
    insideTarget: true,
  };
}
