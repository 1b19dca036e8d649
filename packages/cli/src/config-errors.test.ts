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
  expect(run.json()).toMatchObject({
    ok: false,
    exitCode: 2,
    error: { message: expect.stringContaining('has no default export') },
  });
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
  expect(line).toContain(
    `${file}:3: "notesPlugn" is not exported by ./src/notes/index.js; did you mean "notesPlugin"? It exports: `,
  );
  expect(line).toMatch(/It exports: .*fileLock.*notesPlugin/);
  expect(line).not.toContain('is not a function');
});

it('a failure elsewhere in the config keeps its message and says at which line', async () => {
  project = await makeProject();
  const file = join(project.dir, 'tidemark.config.ts');
  await writeFile(
    file,
    `import { notesPlugin } from './src/notes/index.js';\nconst broken: any = undefined;\nexport default { targets: broken.targets, notesPlugin };\n`,
  );
  const run = await project.run('plan');
  expect(run.code).toBe(ExitCode.USAGE);
  expect(run.stderr).toContain(`cannot load ${file}: `);
  expect(run.stderr).toContain(`(at ${file}:3:`);
});

it('an import that does not resolve is one line at the importing line, with how to add a package', async () => {
  project = await makeProject();
  const file = join(project.dir, 'tidemark.config.ts');
  const config = (from: string) =>
    `import { defineConfig } from '@tidemark/cli';\nimport { notesPlugin } from ${JSON.stringify(from)};\n\nexport default defineConfig({ targets: { notes: { plugin: notesPlugin(), target: './notes' } } });\n`;
  await writeFile(file, config('@tidemark/plugin-notez'));
  const pkg = await project.run('status');
  expect(pkg.code).toBe(ExitCode.USAGE);
  expect(pkg.stderr.trim()).toBe(
    `error ${file}:2: cannot find module '@tidemark/plugin-notez'; is it installed? npm i @tidemark/plugin-notez`,
  );

  await writeFile(file, config('./src/note/index.js'));
  const relative = await project.run('status', '--json');
  expect(relative.code).toBe(ExitCode.USAGE);
  expect(relative.stderr.trim()).toBe(`error ${file}:2: cannot find module './src/note/index.js', no such file`);
  expect(relative.json()).toMatchObject({
    ok: false,
    error: { message: expect.stringContaining(':2: cannot find module') },
  });

  // Deeper: the config's own import resolves, but that module imports something missing; the line is its.
  const nested = join(project.dir, 'src', 'migrations', 'index.ts');
  await writeFile(nested, `import { gone } from './gone.js';\nexport const migrations = { notes: gone };\n`);
  await writeFile(
    file,
    `import { migrations } from './src/migrations/index.js';\nexport default { targets: {}, migrations };\n`,
  );
  const deeper = await project.run('plan');
  expect(deeper.stderr.trim()).toBe(`error ${nested}:1: cannot find module './gone.js', no such file`);
});

it('a syntax error is one line with its place', async () => {
  project = await makeProject();
  const file = join(project.dir, 'tidemark.config.ts');
  await writeFile(file, `export default {\n  targets: {{},\n};\n`);
  const run = await project.run('status');
  expect(run.code).toBe(ExitCode.USAGE);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(
      `^error cannot load ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .+ \\(at ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:\\d+\\)$`,
    ),
  );
});
