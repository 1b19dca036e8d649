// `tidemark new` and `tidemark corpus capture` in-process: which files they write, and when they refuse.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { makeProject, pluginEntry, V1_NOTES, type Project } from './test/project.js';

let project: Project;
afterEach(async () => {
  await project?.dispose();
});

describe('new', () => {
  it("writes the plugin's template, registers it, and adds a fixture case and a test", async () => {
    project = await makeProject();
    const run = await project.run('new', 'add color', '--title', 'Give every note a color', '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      command: 'new',
      ok: true,
      exitCode: 0,
      id: '004_add_color',
      title: 'Give every note a color',
      exportName: 'm004AddColor',
      plugin: 'notes',
      template: 'plugin',
      files: {
        migration: 'src/migrations/004_add_color.ts',
        test: 'src/migrations/004_add_color.test.ts',
        index: 'src/migrations/index.ts',
        fixture: 'fixtures/notes/004_add_color',
      },
    });
    const migration = await readFile(join(project.dir, 'src/migrations/004_add_color.ts'), 'utf8');
    expect(migration).toContain('export const m004AddColor = defineMigration<NotesTarget>({');
    expect(migration).toContain('title: "Give every note a color"');
    const test = await readFile(join(project.dir, 'src/migrations/004_add_color.test.ts'), 'utf8');
    expect(test).toContain('new URL("../../fixtures/notes/004_add_color/", import.meta.url)');
    expect(await readFile(join(project.dir, 'src/migrations/index.ts'), 'utf8')).toContain("import { m004AddColor } from './004_add_color.js';");
    for (const side of ['before', 'after']) expect(await readdir(join(project.dir, 'fixtures/notes/004_add_color', side))).toEqual(['.gitkeep']);

    const second = await project.run('new', 'drop_color');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('created migration 005_drop_color (Drop color) for plugin notes');
    const index = await readFile(join(project.dir, 'src/migrations/index.ts'), 'utf8');
    expect(index).toContain('export { m004AddColor, m005DropColor };');
    expect(index).toMatch(/migrations = \[\n {2}m004AddColor,\n {2}m005DropColor,\n\];/);
  });

  it('uses the generic template for a plugin without scaffold(), and refuses to overwrite', async () => {
    project = await makeProject({
      config: `import { notesPlugin } from ${JSON.stringify(pluginEntry)};
export default { migrationsDir: 'lib/steps', fixturesDir: 'corpus', targets: { notes: { plugin: { ...notesPlugin(), scaffold: undefined }, target: '/nonexistent' } } };
`,
    });
    const run = await project.run('new', 'first_step', '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ id: '004_first_step', template: 'generic', files: { migration: 'lib/steps/004_first_step.ts', fixture: 'corpus/notes/004_first_step' } });
    expect(await readFile(join(project.dir, 'lib/steps/004_first_step.ts'), 'utf8')).toContain('defineMigration<unknown>');
    expect(await readFile(join(project.dir, 'lib/steps/004_first_step.test.ts'), 'utf8')).toContain('memoryLedger()');

    const again = await project.run('new', '004_first_step');
    expect(again.code).toBe(ExitCode.USAGE);
    expect(again.stderr).toContain('already exists; nothing was written');
    const taken = await project.run('new', '002_rename_body');
    expect(taken.code).toBe(ExitCode.USAGE);
    expect(taken.stderr).toContain('already has a migration "002_rename_body"');
  });

  it("writes a registration test (and a todo for the golden case) when the plugin's template has no test", async () => {
    project = await makeProject({
      config: `import { notesPlugin } from ${JSON.stringify(pluginEntry)};
const plugin = notesPlugin();
export default { targets: { notes: { plugin: { ...plugin, scaffold: (input) => ({ migration: plugin.scaffold(input).migration }) }, target: '/x' } } };
`,
    });
    const run = await project.run('new', 'only_migration', '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ id: '004_only_migration', template: 'plugin' });
    const test = await readFile(join(project.dir, 'src/migrations/004_only_migration.test.ts'), 'utf8');
    expect(test).toContain('expect(migrations).toContain(m004OnlyMigration);');
    expect(test).toContain("it.todo('turns ../../fixtures/notes/004_only_migration/before into after");
  });

  it('leaves everything untouched when the index cannot be read', async () => {
    project = await makeProject();
    await project.run('new', 'one');
    const indexFile = join(project.dir, 'src/migrations/index.ts');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(indexFile, 'export default [];\n');
    const run = await project.run('new', 'two');
    expect(run.code).toBe(ExitCode.USAGE);
    expect(run.stderr).toContain('no `export const migrations = [...]`');
    expect(existsSync(join(project.dir, 'src/migrations/005_two.ts'))).toBe(false);
    expect(existsSync(join(project.dir, 'fixtures/notes/005_two'))).toBe(false);
  });
});

describe('corpus capture', () => {
  it("writes the target's notes as fixtures/<plugin>/<case>/before, without ledger or lock", async () => {
    project = await makeProject();
    await project.run('up', '--to', '001_add_tags');
    const run = await project.run('corpus', 'capture', '--case', 'half-way', '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ command: 'corpus capture', ok: true, plugin: 'notes', case: 'half-way', dir: 'fixtures/notes/half-way/before', files: Object.keys(V1_NOTES).sort() });
    const captured = JSON.parse(await readFile(join(project.dir, 'fixtures/notes/half-way/before/standup.json'), 'utf8'));
    expect(captured).toEqual({ ...V1_NOTES['standup.json'], tags: ['cli', 'work'] });

    const again = await project.run('corpus', 'capture', '--case', 'half-way');
    expect(again.code).toBe(ExitCode.USAGE);
    expect(again.stderr).toContain('already exists');
    expect((await project.run('corpus', 'capture', '--case', '../escape')).code).toBe(ExitCode.USAGE);
    expect((await project.run('corpus', 'capture')).code).toBe(ExitCode.USAGE);
  });

  it('exits 6 when the plugin cannot capture', async () => {
    project = await makeProject({
      config: `import { notesPlugin } from ${JSON.stringify(pluginEntry)};
export default { targets: { notes: { plugin: { ...notesPlugin(), capture: undefined }, target: ({ configDir }) => configDir + '/notes' } } };
`,
    });
    const run = await project.run('corpus', 'capture', '--case', 'x');
    expect(run.code).toBe(ExitCode.NOT_SUPPORTED);
    expect(run.stderr).toContain('cannot capture');
  });
});
