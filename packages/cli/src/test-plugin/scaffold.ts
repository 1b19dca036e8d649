// Templates for `tidemark new`: a migration that visits every note, and a golden test over its fixture case.
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

/** What the tidemark CLI passes besides the core fields: where the new fixture case lives, seen from the test. */
export interface NotesScaffoldInput extends ScaffoldInput {
  fixtureDir?: string;
}

/**
 * The app keeps this plugin in src/notes/ (as a package would be imported), its own migrations in
 * src/migrations/ with one index listing them per target.
 */
export function scaffoldNotesMigration(input: NotesScaffoldInput): ScaffoldOutput & { test: string } {
  const { id, title, exportName } = input;
  const target = input.target ?? 'notes';
  const list = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(target)
    ? `migrations.${target}`
    : `migrations[${JSON.stringify(target)}]`;
  const fixtureDir = input.fixtureDir ?? `../../fixtures/notes/${id}`;
  const migration = `import { defineMigration } from '@tidemark/core';
import { readNotes, updateNotes, type NotesTarget } from '../notes/index.js';

/** ${title} */
export const ${exportName} = defineMigration<NotesTarget>({
  id: ${JSON.stringify(id)},
  title: ${JSON.stringify(title)},
  async up(ctx) {
    // Return the changed note, or null to leave it as it is.
    await updateNotes(ctx.target, () => null, (done, total) => ctx.progress(done, total));
  },
  async down(ctx) {
    await updateNotes(ctx.target, () => null);
  },
  async validate(ctx) {
    const notes = await readNotes(ctx.target);
    return notes.filter(() => false).map((n) => ({ where: n.file, message: 'describe what is wrong' }));
  },
});
`;
  const test = `import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunner } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { notesPlugin, readNotesState } from '../notes/index.js';
import { ${exportName} } from './${id}.js';
import { migrations } from './index.js';

const fixture = fileURLToPath(new URL(${JSON.stringify(`${fixtureDir}/`)}, import.meta.url));

describe(${JSON.stringify(id)}, () => {
  it('is registered', () => {
    expect(${list}).toContain(${exportName});
  });

  it('turns the fixture case before/ into after/, and back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-golden-'));
    try {
      await cp(join(fixture, 'before'), dir, { recursive: true });
      const runner = createRunner({ plugin: notesPlugin({ migrations: ${list} }), target: dir });
      const result = await runner.up();
      expect([...result.applied, ...result.baselined]).toContain(${JSON.stringify(id)});
      expect(await readNotesState(dir)).toEqual(await readNotesState(join(fixture, 'after')));
      expect((await runner.up()).outcome).toBe('nothing-to-do');
      await runner.down({ to: null });
      expect(await readNotesState(dir)).toEqual(await readNotesState(join(fixture, 'before')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
`;
  return { migration, test };
}
