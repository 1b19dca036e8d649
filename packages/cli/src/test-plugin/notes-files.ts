// A notes target is a folder of `<name>.json` files, one note each. Dot-files (the ledger, the lock) are not notes.
import { createError } from '@tidemark/core';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Absolute path of the folder that holds the notes. */
export type NotesTarget = string;

export type NoteData = Record<string, unknown>;

export interface Note {
  file: string;
  data: NoteData;
}

export const LEDGER_FILE = '.tidemark-ledger.json';
export const LOCK_FILE = '.tidemark-lock.json';

export function isNoteFile(name: string): boolean {
  return !name.startsWith('.') && name.endsWith('.json');
}

export async function listNoteFiles(dir: NotesTarget): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw createError('notes', `cannot read the notes folder ${dir}`, { cause: error });
  }
  return names.filter(isNoteFile).sort();
}

export async function readNote(dir: NotesTarget, file: string): Promise<Note> {
  const text = await readFile(join(dir, file), 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw createError('notes', `${file}: not valid JSON`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw createError('notes', `${file}: a note must be a JSON object`);
  }
  if (typeof (data as NoteData).title !== 'string') {
    throw createError('notes', `${file}: field "title" must be a string`);
  }
  return { file, data: data as NoteData };
}

export async function readNotes(dir: NotesTarget): Promise<Note[]> {
  const notes: Note[] = [];
  for (const file of await listNoteFiles(dir)) notes.push(await readNote(dir, file));
  return notes;
}

/** Write-then-rename, so a crash never leaves half a note. */
export async function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function writeNote(dir: NotesTarget, file: string, data: NoteData): Promise<void> {
  await writeJsonAtomic(join(dir, file), data);
}

/** The observable state of a notes folder: every note by file name (ledger and lock excluded). */
export async function readNotesState(dir: NotesTarget): Promise<Record<string, NoteData>> {
  const state: Record<string, NoteData> = {};
  for (const note of await readNotes(dir)) state[note.file] = note.data;
  return state;
}

/** Applies `change` to every note and writes back the ones it changed; reports progress per note. */
export async function updateNotes(
  dir: NotesTarget,
  change: (note: NoteData, file: string) => NoteData | null,
  progress?: (done: number, total: number) => void,
): Promise<number> {
  const notes = await readNotes(dir);
  let changed = 0;
  for (const [index, note] of notes.entries()) {
    const next = change(structuredClone(note.data), note.file);
    if (next !== null) {
      await writeNote(dir, note.file, next);
      changed += 1;
    }
    progress?.(index + 1, notes.length);
  }
  return changed;
}
