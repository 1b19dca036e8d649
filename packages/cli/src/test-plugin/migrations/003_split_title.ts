import { defineMigration } from '@tidemark/core';
import { readNotes, updateNotes, type NotesTarget } from '../notes-files.js';

const SEPARATOR = ': ';

/** Splits "Category: Title" into `category` and `title`; a title without the separator gets category null. */
export const m003SplitTitle = defineMigration<NotesTarget>({
  id: '003_split_title',
  title: 'Split "Category: Title" into category and title',
  requires: ['002_rename_body'],
  async up(ctx) {
    await updateNotes(
      ctx.target,
      (note) => {
        if ('category' in note) return null;
        const title = note.title as string;
        const at = title.indexOf(SEPARATOR);
        return at < 0 ? { ...note, category: null } : { ...note, category: title.slice(0, at), title: title.slice(at + SEPARATOR.length) };
      },
      (done, total) => ctx.progress(done, total),
    );
  },
  async down(ctx) {
    await updateNotes(ctx.target, (note) => {
      if (!('category' in note)) return null;
      const { category, ...rest } = note;
      return typeof category === 'string' ? { ...rest, title: `${category}${SEPARATOR}${rest.title as string}` } : rest;
    });
  },
  async validate(ctx) {
    return (await readNotes(ctx.target))
      .filter((n) => !(typeof n.data.category === 'string' || n.data.category === null))
      .map((n) => ({ where: `${n.file}: category`, message: 'must be a string or null' }));
  },
});
