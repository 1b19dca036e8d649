import { defineTrait } from '@tidemark/core';
import { readNotes, type NotesTarget } from './notes-files.js';

/** v1 notes are `{title, body}`: a body not yet renamed and no tags. */
export const v1Notes = defineTrait<NotesTarget>({
  id: 'v1-notes',
  title: 'Notes in the v1 shape {title, body}',
  fixes: ['001_add_tags', '002_rename_body', '003_split_title'],
  async detect(dir) {
    const v1 = (await readNotes(dir)).filter((n) => typeof n.data.body === 'string' && !('tags' in n.data));
    if (v1.length === 0) return null;
    return { summary: `${v1.length} v1 note(s), first ${v1[0]!.file}`, details: { files: v1.map((n) => n.file) } };
  },
});
