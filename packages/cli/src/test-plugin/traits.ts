import { defineTrait } from '@tidemark/core';
import { readNotes, type NoteData, type NotesTarget } from './notes-files.js';

/** What still makes a note legacy; empty once every migration has reached it. */
function legacyMarks(note: NoteData): string[] {
  const marks: string[] = [];
  if (!('tags' in note)) marks.push('no tags');
  if ('body' in note) marks.push('body not renamed');
  if (!('category' in note)) marks.push('title not split');
  return marks;
}

/**
 * v1 notes are `{title, body}`. Notes part-way through the upgrade (a run that failed in the middle) are
 * detected too, so a rerun finishes them instead of baselining what is left.
 */
export const v1Notes = defineTrait<NotesTarget>({
  id: 'v1-notes',
  title: 'Notes in the v1 shape {title, body}, or part-way through the upgrade',
  fixes: ['001_add_tags', '002_rename_body', '003_split_title'],
  async detect(dir) {
    const legacy = (await readNotes(dir))
      .map((n) => ({ file: n.file, marks: legacyMarks(n.data) }))
      .filter((n) => n.marks.length > 0);
    if (legacy.length === 0) return null;
    const v1 = legacy.filter((n) => n.marks.length === 3).length;
    return {
      summary: `${legacy.length} legacy note(s) (${v1} v1), first ${legacy[0]!.file}: ${legacy[0]!.marks.join(', ')}`,
      details: { files: legacy.map((n) => n.file), marks: Object.fromEntries(legacy.map((n) => [n.file, n.marks])) },
    };
  },
});
