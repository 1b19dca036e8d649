import { defineMigration } from '@tidemark/core';
import { readNotes, updateNotes, type NotesTarget } from '../notes-files.js';

const HASHTAG = /#([\p{L}\p{N}_-]+)/gu;

/** Adds `tags`, taken from the #hashtags of the body (unique, in order of appearance). */
export const m001AddTags = defineMigration<NotesTarget>({
  id: '001_add_tags',
  title: 'Add tags from #hashtags in the body',
  async up(ctx) {
    await updateNotes(
      ctx.target,
      (note) => {
        if ('tags' in note) return null;
        const text = typeof note.body === 'string' ? note.body : typeof note.content === 'string' ? note.content : '';
        return { ...note, tags: [...new Set([...text.matchAll(HASHTAG)].map((m) => m[1]!.toLowerCase()))] };
      },
      (done, total) => ctx.progress(done, total),
    );
  },
  async down(ctx) {
    await updateNotes(ctx.target, (note) => {
      if (!('tags' in note)) return null;
      const { tags: _tags, ...rest } = note;
      return rest;
    });
  },
  async validate(ctx) {
    return (await readNotes(ctx.target))
      .filter((n) => !Array.isArray(n.data.tags))
      .map((n) => ({ where: `${n.file}: tags`, message: 'must be an array' }));
  },
});
