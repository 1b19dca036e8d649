// The "notes" example plugin: a target is a folder of JSON notes. It exercises every CLI command in the tests
// and drives the demo. v1 notes are {title, body}; the migrations add tags, rename body, split the title.
import { definePlugin, type Migration, type Plugin } from '@tidemark/core';
import { captureNotes } from './capture.js';
import { stepRestoreGuard } from './guard.js';
import { notesLedger } from './ledger.js';
import { migrations } from './migrations/index.js';
import type { NotesTarget } from './notes-files.js';
import { rehearseNotes } from './rehearse.js';
import { scaffoldNotesMigration } from './scaffold.js';
import { v1Notes } from './traits.js';

export {
  readNotes,
  readNotesState,
  updateNotes,
  LEDGER_FILE,
  LOCK_FILE,
  type NotesTarget,
  type NoteData,
} from './notes-files.js';
export { fileLock } from './lock.js';
export { notesLedger } from './ledger.js';
export { v1Notes } from './traits.js';
export { stepRestoreGuard } from './guard.js';
export { migrations } from './migrations/index.js';

/** `migrations`: the app's own, run after the shipped ones. */
export function notesPlugin(options: { migrations?: readonly Migration<NotesTarget>[] } = {}): Plugin<NotesTarget> {
  return definePlugin<NotesTarget>({
    name: 'notes',
    migrations: [...migrations, ...(options.migrations ?? [])],
    traits: [v1Notes],
    guards: [stepRestoreGuard],
    ledger: (dir) => notesLedger(dir),
    describe: (dir) => `notes:${dir}`,
    rehearse: rehearseNotes,
    capture: captureNotes,
    scaffold: scaffoldNotesMigration,
  });
}
