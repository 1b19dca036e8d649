import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listNoteFiles, readNote, type NotesTarget } from './notes-files.js';

/** Copies every note (validated as a note, byte for byte) into `dir`; the ledger and lock stay behind. */
export async function captureNotes(target: NotesTarget, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of await listNoteFiles(target)) {
    await readNote(target, file);
    await copyFile(join(target, file), join(dir, file));
  }
}
