// A config that does not load says what is wrong and where: no default export, or a typo in an imported name.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { makeProject, type Project } from './test/project.js';

let project: Project;
afterEach(async () => {
  await project?.dispose();
});

it('a config without a default export says so and names what it exports', async () => {
  project = await makeProject();
  const file = join(project.dir, 'tidemark.config.ts');
  await writeFile(
    file,
    `import { defineConfig } from '@tidemark/cli';
import { notesPlugin } from './src/notes/index.js';
export const config = defineConfig({ targets: { notes: { plugin: notesPlugin(), target: './notes' } } });
`,
  );
  const run = await project.run('status', '--json');
  expect(run.code).toBe(ExitCode.USAGE);
  expect(run.stderr.trim()).toBe(
    `error ${file} has no default export: write \`export default defineConfig({ targets: { … } })\` (it exports only: config)`,
  );
  expect(run.json()).toMatchObject({ ok: false, exitCode: 2, error: { message: expect.stringContaining('has no default export') } });
});

it('a typo in an imported name names the file, line, the name, what the module exports and the closest', async () => {
  project = await makeProject();
  const file = join(project.dir, 'tidemark.config.ts');
  await writeFile(
    file,
    `import { defineConfig } from '@tidemark/cli';
import type { NotesTarget } from './src/notes/index.js';
import { notesPlugn, v1Notes as _v1 } from './src/notes/index.js';

export default defineConfig({ targets: { notes: { plugin: notesPlugn(), target: './notes' as NotesTarget } } });
`,
  );
  const run = await project.run('plan');
  expect(run.code).toBe(ExitCode.USAGE);
  const line = run.stderr.trim();
  expect(line.split('\n')).toHaveLength(1);
  expect(line).toContain(`${file}:3: "notesPlugn" is not exported by ./src/notes/index.js; did you mean "notesPlugin"? It exports: `);
  expect(line).toMatch(/It exports: .*fileLock.*notesPlugin/);
  expect(line).not.toContain('is not a function');
});

it('a failure elsewhere in the config keeps its message and says at which line', async () => {
  project = await makeProject();
  const file = join(project.dir, 'tidemark.config.ts');
  await writeFile(file, `import { notesPlugin } from './src/notes/index.js';\nconst broken: any = undefined;\nexport default { targets: broken.targets, notesPlugin };\n`);
  const run = await project.run('plan');
  expect(run.code).toBe(ExitCode.USAGE);
  expect(run.stderr).toContain(`cannot load ${file}: `);
  expect(run.stderr).toContain(`(at ${file}:3:`);
});
