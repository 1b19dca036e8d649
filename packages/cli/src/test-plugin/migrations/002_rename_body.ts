import { defineMigration } from '@tidemark/core';
import { readNotes, updateNotes, type NotesTarget } from '../notes-files.js';

/** Renames `body` to `content`. */
export const m002RenameBody = defineMigration<NotesTarget>({
  id: '002_rename_body',
  title: 'Rename body to content',
  requires: ['001_add_tags'],
  async up(ctx) {
    await updateNotes(
      ctx.target,
      (note) => {
        if (!('body' in note) || 'content' in note) return null;
        const { body, ...rest } = note;
        return { ...rest, content: body };
      },
      (done, total) => ctx.progress(done, total),
    );
  },
  async down(ctx) {
    await updateNotes(ctx.target, (note) => {
      if (!('content' in note) || 'body' in note) return null;
      const { content, ...rest } = note;
      return { ...rest, body: content };
    });
  },
  async validate(ctx) {
    return (await readNotes(ctx.target))
      .filter((n) => 'body' in n.data || typeof n.data.content !== 'string')
      .map((n) => ({ where: `${n.file}: content`, message: 'must be a string and replace body' }));
  },
});
