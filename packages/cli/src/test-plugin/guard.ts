// Each step either completes or leaves the notes as they were: the guard keeps the notes in memory before the
// step and writes them back (and removes notes the step created) when the step fails.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defineGuard } from '@tidemark/core';
import { readNotesState, writeNote, type NotesTarget } from './notes-files.js';

export const stepRestoreGuard = defineGuard<NotesTarget>({
  name: 'notes-step-restore',
  async aroundStep(ctx, next) {
    const before = await readNotesState(ctx.target);
    try {
      await next();
    } catch (error) {
      const now = await readNotesState(ctx.target);
      for (const file of Object.keys(now)) if (!(file in before)) await rm(join(ctx.target, file), { force: true });
      for (const [file, data] of Object.entries(before)) await writeNote(ctx.target, file, data);
      ctx.emit('step-restored', { migration: ctx.migrationId, notes: Object.keys(before).length });
      throw error;
    }
  },
});
