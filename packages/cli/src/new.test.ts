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
  it("writes the plugin's template, registers it for its target, captures before/ from the target, and adds a test", async () => {
    project = await makeProject();
    const run = await project.run('new', 'add color', '--title', 'Give every note a color', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      command: 'new',
      ok: true,
      exitCode: 0,
      id: '004_add_color',
      title: 'Give every note a color',
      exportName: 'm004AddColor',
      target: 'notes',
      plugin: 'notes',
      template: 'plugin',
      files: {
        migration: 'src/migrations/004_add_color.ts',
        test: 'src/migrations/004_add_color.test.ts',
        index: 'src/migrations/index.ts',
        fixture: 'fixtures/notes/004_add_color',
      },
      before: { captured: true, files: 3 },
    });
    const migration = await readFile(join(project.dir, 'src/migrations/004_add_color.ts'), 'utf8');
    expect(migration).toContain('export const m004AddColor = defineMigration<NotesTarget>({');
    expect(migration).toContain('title: "Give every note a color"');
    const test = await readFile(join(project.dir, 'src/migrations/004_add_color.test.ts'), 'utf8');
    expect(test).toContain('new URL("../../fixtures/notes/004_add_color/", import.meta.url)');
    expect(test).toContain('expect(migrations.notes).toContain(m004AddColor);');
    expect(await readFile(join(project.dir, 'src/migrations/index.ts'), 'utf8')).toContain(
      "import { m004AddColor } from './004_add_color.js';",
    );
    expect((await readdir(join(project.dir, 'fixtures/notes/004_add_color/before'))).sort()).toEqual(
      Object.keys(V1_NOTES).sort(),
    );
    expect(
      JSON.parse(await readFile(join(project.dir, 'fixtures/notes/004_add_color/before/standup.json'), 'utf8')),
    ).toEqual(V1_NOTES['standup.json']);
    expect(existsSync(join(project.dir, 'fixtures/notes/004_add_color/after'))).toBe(false);

    // The config now loads the new migration through the index: the next one is numbered after it.
    const second = await project.run('new', 'drop_color');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('created migration 005_drop_color (Drop color) for target notes (plugin notes)');
    expect(second.stdout).toContain('fixtures/notes/005_drop_color/before (captured from notes: 3 file(s))');
    const index = await readFile(join(project.dir, 'src/migrations/index.ts'), 'utf8');
    expect(index).toMatch(/migrations = \{\n {2}notes: \[\n {4}m004AddColor,\n {4}m005DropColor,\n {2}\],\n\};/);
    const status = await project.run('status', '--json');
    expect(status.json().targets[0].status.migrations.map((m: { id: string }) => m.id)).toEqual([
      '001_add_tags',
      '002_rename_body',
      '003_split_title',
      '004_add_color',
      '005_drop_color',
    ]);
  });

  it('numbers ids across every target of the config, and registers each under its own target', async () => {
    project = await makeProject({
      config: `import { definePlugin, memoryLedger } from '@tidemark/core';
import { notesPlugin } from './src/notes/index.js';
import { migrations } from './src/migrations/index.js';
const ledger = memoryLedger();
const shipped = { id: '010_shipped', title: 'shipped', async up() {} };
export default {
  targets: {
    notes: { plugin: notesPlugin({ migrations: migrations.notes }), target: ({ configDir }) => configDir + '/notes' },
    app: { plugin: definePlugin({ name: 'app', migrations: [shipped, ...(migrations.app ?? [])], ledger: () => ledger, describe: () => 'app' }), target: {} },
  },
};
`,
    });
    const first = await project.run('new', 'tag_colors', '--target', 'notes', '--json');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ id: '011_tag_colors', target: 'notes' });
    const second = await project.run('new', 'create_users', '--target', 'app', '--json');
    expect(second.code).toBe(0);
    expect(second.json()).toMatchObject({
      id: '012_create_users',
      target: 'app',
      plugin: 'app',
      template: 'generic',
      before: { captured: false, reason: 'plugin "app" cannot capture a target' },
    });
    const index = await readFile(join(project.dir, 'src/migrations/index.ts'), 'utf8');
    expect(index).toContain('  notes: [\n    m011TagColors,\n  ],\n  app: [\n    m012CreateUsers,\n  ],\n};');
    expect(await readFile(join(project.dir, 'src/migrations/012_create_users.test.ts'), 'utf8')).toContain(
      'expect(migrations.app).toContain(m012CreateUsers);',
    );

    const unnamed = await project.run('new', 'x');
    expect(unnamed.code).toBe(ExitCode.USAGE);
    expect(unnamed.stderr).toContain('the config has 2 targets; choose one with --target <notes|app>');
    const taken = await project.run('new', '010_shipped', '--target', 'notes');
    expect(taken.code).toBe(ExitCode.USAGE);
    expect(taken.stderr).toContain('target "app" (plugin "app") already has a migration "010_shipped"');
  });

  it('uses the generic template without scaffold(), leaves before/ empty when the target cannot be captured, and refuses to overwrite', async () => {
    project = await makeProject({
      config: `import { notesPlugin } from './src/notes/index.js';
import { migrations } from './src/migrations/index.js';
export default { migrationsDir: 'src/migrations', fixturesDir: 'corpus', targets: { notes: { plugin: { ...notesPlugin({ migrations: migrations.notes }), scaffold: undefined }, target: '/nonexistent/notes?password=hunter2' } } };
`,
    });
    const run = await project.run('new', 'first_step', '--json');
    expect(run.code).toBe(0);
    const doc = run.json();
    expect(doc).toMatchObject({
      id: '004_first_step',
      template: 'generic',
      files: { migration: 'src/migrations/004_first_step.ts', fixture: 'corpus/notes/004_first_step' },
    });
    expect(doc.before.captured).toBe(false);
    expect(doc.before.reason).toContain('capture of target "notes" failed');
    expect(doc.before.reason).not.toContain('hunter2');
    expect(await readdir(join(project.dir, 'corpus/notes/004_first_step/before'))).toEqual([]);
    expect(await readFile(join(project.dir, 'src/migrations/004_first_step.ts'), 'utf8')).toContain(
      'defineMigration<unknown>',
    );
    expect(await readFile(join(project.dir, 'src/migrations/004_first_step.test.ts'), 'utf8')).toContain(
      'memoryLedger()',
    );

    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(project.dir, 'corpus/notes/005_by_hand'), { recursive: true });
    const again = await project.run('new', '005_by_hand');
    expect(again.code).toBe(ExitCode.USAGE);
    expect(again.stderr).toContain('corpus/notes/005_by_hand already exists; nothing was written');
    expect(existsSync(join(project.dir, 'src/migrations/005_by_hand.ts'))).toBe(false);
    const taken = await project.run('new', '004_first_step');
    expect(taken.stderr).toContain('target "notes" (plugin "notes") already has a migration "004_first_step"');
    expect(taken.code).toBe(ExitCode.USAGE);
    const shipped = await project.run('new', '002_rename_body');
    expect(shipped.code).toBe(ExitCode.USAGE);
    expect(shipped.stderr).toContain('target "notes" (plugin "notes") already has a migration "002_rename_body"');
  });

  it("writes a golden + laws test with the plugin's ./testing harness when its template has no test", async () => {
    project = await makeProject({
      config: `import { notesPlugin } from './src/notes/index.js';
import { migrations } from './src/migrations/index.js';
const plugin = notesPlugin({ migrations: migrations.notes });
export default { targets: { notes: { plugin: { ...plugin, name: 'plugin-snapshots', scaffold: (input) => ({ migration: plugin.scaffold(input).migration }) }, target: ({ configDir }) => configDir + '/notes' } } };
`,
    });
    const run = await project.run('new', 'only_migration', '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({
      id: '004_only_migration',
      template: 'plugin',
      files: { fixture: 'fixtures/plugin-snapshots/004_only_migration' },
    });
    const test = await readFile(join(project.dir, 'src/migrations/004_only_migration.test.ts'), 'utf8');
    expect(test).toContain(
      'const cases = fileURLToPath(new URL("../../fixtures/plugin-snapshots/", import.meta.url));',
    );
    expect(test).toContain("import { goldenStates, snapshotsHarness } from '@tidemark/plugin-snapshots/testing';");
    expect(test).toContain(
      "const harness = snapshotsHarness({ migrations: migrations.notes, states: await goldenStates(cases), clock: () => new Date('2000-01-01T00:00:00.000Z') });",
    );
    expect(test).toContain('describeGolden(harness, { dir: cases });');
    expect(test).toContain('describeLaws(harness, { runs: Math.max(1, listCases(cases).length) });');
  });

  it('leaves everything untouched when the index cannot be read', async () => {
    project = await makeProject();
    const indexFile = join(project.dir, 'src/migrations/index.ts');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(indexFile, 'const notes: never[] = [];\nexport const migrations = { notes };\n');
    const run = await project.run('new', 'two');
    expect(run.code).toBe(ExitCode.USAGE);
    expect(run.stderr).toContain('target "notes" is listed without a [...] of migrations');
    expect(existsSync(join(project.dir, 'src/migrations/004_two.ts'))).toBe(false);
    expect(existsSync(join(project.dir, 'fixtures/notes/004_two'))).toBe(false);
    expect(await readFile(indexFile, 'utf8')).toBe(
      'const notes: never[] = [];\nexport const migrations = { notes };\n',
    );
  });
});

describe('corpus capture', () => {
  it("writes the target's notes as fixtures/<plugin>/<case>/before, without ledger or lock", async () => {
    project = await makeProject();
    await project.run('up', '--to', '001_add_tags');
    const run = await project.run('corpus', 'capture', '--case', 'half-way', '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({
      command: 'corpus capture',
      ok: true,
      plugin: 'notes',
      case: 'half-way',
      dir: 'fixtures/notes/half-way/before',
      files: Object.keys(V1_NOTES).sort(),
    });
    const captured = JSON.parse(
      await readFile(join(project.dir, 'fixtures/notes/half-way/before/standup.json'), 'utf8'),
    );
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
