// The ledger is one JSON file inside the notes folder: entries plus checkpoints, rewritten atomically.
import { createError } from '@tidemark/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ledger, LedgerEntry } from '@tidemark/core';
import { fileLock } from './lock.js';
import { LEDGER_FILE, writeJsonAtomic, type NotesTarget } from './notes-files.js';

interface LedgerFile {
  entries: LedgerEntry[];
  checkpoints: Record<string, unknown>;
}

export function notesLedger(dir: NotesTarget): Ledger {
  const path = join(dir, LEDGER_FILE);
  async function load(): Promise<LedgerFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], checkpoints: {} };
      throw error;
    }
    try {
      const data = JSON.parse(text) as Partial<LedgerFile>;
      return { entries: data.entries ?? [], checkpoints: data.checkpoints ?? {} };
    } catch (error) {
      throw createError('notes', `${path}: the ledger is not valid JSON`, { cause: error });
    }
  }
  async function change(fn: (file: LedgerFile) => void): Promise<void> {
    const file = await load();
    fn(file);
    await writeJsonAtomic(path, file);
  }
  return {
    async read() {
      return (await load()).entries;
    },
    async record(entry) {
      await change((f) => {
        f.entries = [...f.entries.filter((e) => e.id !== entry.id), entry];
      });
    },
    async remove(id) {
      await change((f) => {
        f.entries = f.entries.filter((e) => e.id !== id);
      });
    },
    lock: fileLock(dir),
    checkpoints: {
      async load(id) {
        return (await load()).checkpoints[id] ?? null;
      },
      async save(id, data) {
        await change((f) => {
          f.checkpoints[id] = data;
        });
      },
      async clear(id) {
        await change((f) => {
          delete f.checkpoints[id];
        });
      },
    },
  };
}
