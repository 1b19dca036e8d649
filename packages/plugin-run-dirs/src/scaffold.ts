// `tidemark new` for run directories: a migration that reads and writes through the file discipline.
import type { ScaffoldInput, ScaffoldOutput } from '@tidemark/core';

export function scaffoldRunDirMigration(input: ScaffoldInput): ScaffoldOutput {
  const title = JSON.stringify(input.title);
  const migration = `import { defineMigration } from '@tidemark/core';
import { readFile } from 'node:fs/promises';
import { runPath, writeFileAtomic, type RunDirTarget } from '@tidemark/plugin-run-dirs';

// Why this migration exists (which legacy runs have the shape it fixes) goes here.
export const ${input.exportName} = defineMigration<RunDirTarget>({
  id: ${JSON.stringify(input.id)},
  title: ${title},
  // version: 1003, // the nodb.version bundle this belongs to
  async up(ctx) {
    const path = runPath(ctx.target, 'example.json');
    const data = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    // Never write in place: writeFileAtomic writes a temp file, fsyncs and renames it over the old one.
    await writeFileAtomic(path, JSON.stringify({ ...data, upgraded: true }));
  },
  async validate(ctx) {
    const data = JSON.parse(await readFile(runPath(ctx.target, 'example.json'), 'utf8')) as Record<string, unknown>;
    return data.upgraded === true ? [] : [{ where: 'example.json', message: 'not upgraded' }];
  },
});
`;
  return { migration };
}
