// Rehearsal on a copy of the folder (ledger included, lock excluded), then a per-note diff.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ChangeSummary, RehearsalSession } from '@tidemark/core';
import { LOCK_FILE, readNotesState, type NoteData, type NotesTarget } from './notes-files.js';

export async function rehearseNotes(dir: NotesTarget): Promise<RehearsalSession<NotesTarget>> {
  const copy = await mkdtemp(join(tmpdir(), 'tidemark-notes-rehearsal-'));
  await cp(dir, copy, { recursive: true, filter: (src) => basename(src) !== LOCK_FILE });
  const before = await readNotesState(dir);
  return {
    target: copy,
    diff: async () => diffNotes(before, await readNotesState(copy)),
    dispose: () => rm(copy, { recursive: true, force: true }),
  };
}

export function diffNotes(before: Record<string, NoteData>, after: Record<string, NoteData>): ChangeSummary {
  const changes: ChangeSummary['changes'] = [];
  for (const file of Object.keys({ ...before, ...after }).sort()) {
    const a = before[file];
    const b = after[file];
    if (!a) changes.push({ kind: 'added', path: file });
    else if (!b) changes.push({ kind: 'removed', path: file });
    else {
      const fields = Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
      if (fields.length > 0)
        changes.push({
          kind: 'changed',
          path: file,
          detail: fields.map((f) => (!(f in a) ? `+${f}` : !(f in b) ? `-${f}` : `~${f}`)).join(' '),
        });
    }
  }
  return { summary: `${changes.length} of ${Object.keys(after).length} note(s) would change`, changes };
}
