// Every run command against the notes example plugin, in-process: exit codes, JSON shapes, files, ledger.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { makeProject, pluginEntry, V1_NOTES, type Project } from './test/project.js';

const ALL = ['001_add_tags', '002_rename_body', '003_split_title'];
let project: Project;
afterEach(async () => {
  await project?.dispose();
});

describe('status', () => {
  it('lists every migration as pending on a fresh legacy folder, then as applied', async () => {
    project = await makeProject();
    const before = await project.run('status', '--json');
    expect(before.code).toBe(ExitCode.OK);
    const doc = before.json();
    expect(doc).toMatchObject({ command: 'status', ok: true, exitCode: 0 });
    expect(doc.targets).toHaveLength(1);
    expect(doc.targets[0]).toMatchObject({
      name: 'notes',
      plugin: 'notes',
      target: `notes:${project.notes}`,
      ok: true,
    });
    expect(doc.targets[0].status.migrations.map((m: { id: string; status: string }) => [m.id, m.status])).toEqual(
      ALL.map((id) => [id, 'pending']),
    );
    expect(doc.targets[0].status.lock).toBeNull();

    expect((await project.run('up')).code).toBe(0);
    const after = await project.run('status');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/001_add_tags\s+applied\s+\d{4}-\d\d-\d\dT/);
    expect(after.stdout).toContain('3 applied, 0 baselined, 0 failed, 0 pending');
    expect(after.stdout).toContain('lock: free');
  });
});

describe('status and verify with previousChecksums', () => {
  it('an applied entry recorded with one of the migration\'s previousChecksums is not "(changed)" and not drift; another old checksum is', async () => {
    project = await makeProject({
      index: `import { defineMigration } from '@tidemark/core';
export const migrations = {
  notes: [defineMigration({ id: '004_app_step', title: 'an app step refactored since 0.1', previousChecksums: ['0a1b2c3d4e5f6071'], async up() {} })],
};
`,
    });
    expect((await project.run('up')).code).toBe(0);
    const ledgerFile = join(project.notes, '.tidemark-ledger.json');
    const rewrite = async (sums: Record<string, string>) => {
      const doc = JSON.parse(await readFile(ledgerFile, 'utf8')) as { entries: { id: string; checksum: string }[] };
      for (const e of doc.entries) if (sums[e.id]) e.checksum = sums[e.id]!;
      await writeFile(ledgerFile, JSON.stringify(doc));
    };
    const changed = async () =>
      Object.fromEntries(
        (await project.run('status', '--json'))
          .json()
          .targets[0].status.migrations.map((m: { id: string; checksumChanged: boolean }) => [m.id, m.checksumChanged]),
      );

    await rewrite({ '004_app_step': '0a1b2c3d4e5f6071' });
    expect(await changed()).toEqual({
      '001_add_tags': false,
      '002_rename_body': false,
      '003_split_title': false,
      '004_app_step': false,
    });
    expect((await project.run('verify')).code).toBe(ExitCode.OK);

    await rewrite({ '001_add_tags': '0a1b2c3d4e5f6071' });
    expect(await changed()).toMatchObject({ '001_add_tags': true, '004_app_step': false });
    expect((await project.run('status')).stdout).toMatch(/001_add_tags\s+applied \(changed\)/);
    expect((await project.run('verify')).code).toBe(ExitCode.DRIFT);
  });
});

describe('plan', () => {
  it('says which steps run and why, and writes nothing', async () => {
    project = await makeProject();
    const run = await project.run('plan', '--json');
    expect(run.code).toBe(0);
    const plan = run.json().targets[0].plan;
    expect(plan.steps.map((s: { id: string }) => s.id)).toEqual(ALL);
    expect(plan.steps[0].reasons[0]).toMatchObject({ kind: 'trait', trait: 'v1-notes' });
    expect(plan.steps[0].reasons[0].evidence.details.files).toEqual(Object.keys(V1_NOTES).sort());
    expect(await project.ledger()).toEqual([]);
    expect(await project.readNote('groceries.json')).toEqual(V1_NOTES['groceries.json']);

    const human = await project.run('plan', '--to', '002_rename_body');
    expect(human.stdout).toMatch(/001_add_tags\s+apply\s+trait v1-notes: 3 legacy note\(s\) \(3 v1\)/);
    expect(human.stdout).toContain('002_rename_body');
    expect(human.stdout).not.toContain('003_split_title');
  });

  it('exits 2 for an unknown --to id', async () => {
    project = await makeProject();
    const run = await project.run('plan', '--to', '999_nope', '--json');
    expect(run.code).toBe(ExitCode.USAGE);
    expect(run.json().targets[0].error).toMatchObject({ code: 'UNKNOWN_MIGRATION' });
    expect(run.stderr).toContain('999_nope');
  });
});

describe('up', () => {
  it('migrates v1 notes, records the ledger, shows progress on stderr', async () => {
    project = await makeProject();
    const run = await project.run('up');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('applied 3 (001_add_tags, 002_rename_body, 003_split_title)');
    expect(run.stderr).toContain('[1/3] up 001_add_tags');
    expect(run.stderr).toContain('001_add_tags 100% (3/3)');
    expect(await project.readNote('groceries.json')).toEqual({
      title: 'Groceries',
      category: 'Home',
      content: 'eggs, milk #shopping #Weekly',
      tags: ['shopping', 'weekly'],
    });
    expect(await project.readNote('ideas.json')).toEqual({
      title: 'Ideas',
      category: null,
      content: 'no tags here',
      tags: [],
    });
    const ledger = await project.ledger();
    expect(ledger.map((e) => [e.id, e.outcome])).toEqual(ALL.map((id) => [id, 'applied']));
    expect(new Set(ledger.map((e) => e.runId)).size).toBe(1);
    expect(ledger[0]!.checksum).toMatch(/^[0-9a-f]{16}$/);

    const again = await project.run('up', '--json');
    expect(again.code).toBe(0);
    expect(again.json().targets[0].result).toMatchObject({ outcome: 'nothing-to-do', applied: [] });
  });

  it('--to stops after the named migration; --dry-run changes nothing', async () => {
    project = await makeProject();
    const dry = await project.run('up', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(dry.json().targets[0].result).toMatchObject({ outcome: 'dry-run', applied: [] });
    expect(dry.stderr).toBe('');
    expect(await project.ledger()).toEqual([]);
    expect(await project.readNote('standup.json')).toEqual(V1_NOTES['standup.json']);

    const partial = await project.run('up', '--to', '001_add_tags', '--json');
    expect(partial.code).toBe(0);
    expect(partial.json().targets[0].result.applied).toEqual(['001_add_tags']);
    expect(await project.readNote('standup.json')).toEqual({ ...V1_NOTES['standup.json'], tags: ['cli', 'work'] });
    expect((await project.ledger()).map((e) => e.id)).toEqual(['001_add_tags']);
  });

  it('baselines every trait-gated step when no legacy shape is found', async () => {
    project = await makeProject({ notes: { 'a.json': { title: 'A', category: null, content: 'x', tags: [] } } });
    const run = await project.run('up', '--json');
    expect(run.code).toBe(0);
    expect(run.json().targets[0].result).toMatchObject({ applied: [], baselined: ALL });
    const ledger = await project.ledger();
    expect(ledger.map((e) => e.outcome)).toEqual(['baselined', 'baselined', 'baselined']);
    expect(ledger[0]!.note).toContain('v1-notes detected nothing');
    expect(await project.readNote('a.json')).toEqual({ title: 'A', category: null, content: 'x', tags: [] });
  });

  it('records a failed step truthfully and exits 1', async () => {
    project = await makeProject({
      config: `import { defineMigration, definePlugin } from '@tidemark/core';
import { notesPlugin } from ${JSON.stringify(pluginEntry)};
const base = notesPlugin();
const broken = defineMigration({ id: '004_broken', title: 'Always fails', requires: ['003_split_title'], async up() { throw new Error('disk on fire'); } });
export default { targets: { notes: { plugin: definePlugin({ ...base, migrations: [...base.migrations, broken] }), target: ({ configDir }) => configDir + '/notes' } } };
`,
    });
    const run = await project.run('up', '--json');
    expect(run.code).toBe(ExitCode.FAILED);
    const entry = run.json().targets[0];
    expect(entry.error.code).toBe('STEP_FAILED');
    expect(entry.error.message).toContain('004_broken');
    expect(entry.error.message).toContain('disk on fire');
    const ledger = await project.ledger();
    expect(ledger.map((e) => [e.id, e.outcome])).toEqual([
      ...ALL.map((id) => [id, 'applied']),
      ['004_broken', 'failed'],
    ]);
    expect(ledger[3]!.note).toContain('disk on fire');
    const status = await project.run('status');
    expect(status.stdout).toMatch(/004_broken\s+failed/);
  });
});

describe('down', () => {
  it('--to keeps the named migration, --all reverts everything back to the legacy files', async () => {
    project = await makeProject();
    expect((await project.run('up')).code).toBe(0);
    const partial = await project.run('down', '--to', '001_add_tags', '--json');
    expect(partial.code).toBe(0);
    expect(partial.json().targets[0].result.reverted).toEqual(['003_split_title', '002_rename_body']);
    expect(await project.readNote('groceries.json')).toEqual({
      ...V1_NOTES['groceries.json'],
      tags: ['shopping', 'weekly'],
    });
    expect((await project.ledger()).map((e) => e.id)).toEqual(['001_add_tags']);

    const all = await project.run('down', '--all');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('reverted 1 (001_add_tags)');
    for (const [file, data] of Object.entries(V1_NOTES)) expect(await project.readNote(file)).toEqual(data);
    expect(await project.ledger()).toEqual([]);
  });

  it('needs exactly one of --to and --all (exit 2)', async () => {
    project = await makeProject();
    expect((await project.run('down')).code).toBe(ExitCode.USAGE);
    const both = await project.run('down', '--all', '--to', '001_add_tags');
    expect(both.code).toBe(ExitCode.USAGE);
    expect(both.stderr).toContain('exactly one of --to');
  });

  it('--dry-run lists what would be reverted and changes nothing', async () => {
    project = await makeProject();
    await project.run('up');
    const ledger = await project.ledger();
    const dry = await project.run('down', '--all', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(dry.json().targets[0].result).toMatchObject({
      outcome: 'dry-run',
      reverted: ['003_split_title', '002_rename_body', '001_add_tags'],
    });
    expect(await project.ledger()).toEqual(ledger);
  });

  it('refuses an irreversible step without a snapshot (exit 6) and changes nothing', async () => {
    project = await makeProject({
      config: `import { defineMigration, definePlugin } from '@tidemark/core';
import { notesPlugin } from ${JSON.stringify(pluginEntry)};
const base = notesPlugin();
const oneWay = defineMigration({ id: '004_one_way', title: 'No down', requires: ['003_split_title'], async up() {} });
export default { targets: { notes: { plugin: definePlugin({ ...base, migrations: [...base.migrations, oneWay] }), target: ({ configDir }) => configDir + '/notes' } } };
`,
    });
    expect((await project.run('up')).code).toBe(0);
    const before = await project.readNote('groceries.json');
    const run = await project.run('down', '--all', '--json');
    expect(run.code).toBe(ExitCode.NOT_SUPPORTED);
    expect(run.json().targets[0].error.code).toBe('IRREVERSIBLE');
    expect(await project.readNote('groceries.json')).toEqual(before);
    expect(await project.ledger()).toHaveLength(4);
  });
});

describe('verify', () => {
  it('exits 5 while migrations are pending, 0 once up to date', async () => {
    project = await makeProject();
    const pending = await project.run('verify', '--json');
    expect(pending.code).toBe(ExitCode.PENDING);
    expect(pending.json().targets[0].verify).toMatchObject({ ok: false, pending: ALL, drift: [], validation: [] });
    await project.run('up');
    const ok = await project.run('verify');
    expect(ok.code).toBe(ExitCode.OK);
    expect(ok.stdout).toContain('verified: 3 recorded');
  });

  it('exits 4 on drift (a v1 note came back; a checksum changed) and up --repair-drift fixes the shape', async () => {
    project = await makeProject();
    await project.run('up');
    await project.writeNote('late.json', { title: 'Late: arrival', body: 'from an old client #late' });
    const drift = await project.run('verify', '--json');
    expect(drift.code).toBe(ExitCode.DRIFT);
    const found = drift.json().targets[0].verify.drift;
    expect(found.map((d: { kind: string; id: string }) => `${d.kind}:${d.id}`)).toEqual(
      ALL.map((id) => `legacy-shape:${id}`),
    );

    const plain = await project.run('up');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('drift 001_add_tags: trait v1-notes found the legacy shape again');
    expect(await project.readNote('late.json')).toEqual({ title: 'Late: arrival', body: 'from an old client #late' });

    const repair = await project.run('up', '--repair-drift', '--json');
    expect(repair.code).toBe(0);
    expect(repair.json().targets[0].result.applied).toEqual(ALL);
    expect(await project.readNote('late.json')).toEqual({
      title: 'arrival',
      category: 'Late',
      content: 'from an old client #late',
      tags: ['late'],
    });
    expect((await project.run('verify')).code).toBe(0);

    const file = join(project.notes, '.tidemark-ledger.json');
    const ledger = JSON.parse(await readFile(file, 'utf8'));
    ledger.entries[1].checksum = '0000000000000000';
    await writeFile(file, JSON.stringify(ledger));
    const changed = await project.run('verify', '--json');
    expect(changed.code).toBe(ExitCode.DRIFT);
    expect(changed.json().targets[0].verify.drift).toEqual([
      expect.objectContaining({ kind: 'checksum', id: '002_rename_body', recorded: '0000000000000000' }),
    ]);
  });

  it('exits 1 when a validator finds invalid data, naming the file and field', async () => {
    project = await makeProject();
    await project.run('up');
    await project.writeNote('ideas.json', { title: 'Ideas', category: null, content: 'x', tags: 'not-a-list' });
    const run = await project.run('verify');
    expect(run.code).toBe(ExitCode.FAILED);
    expect(run.stdout).toMatch(/001_add_tags\s+ideas\.json: tags\s+must be an array/);
    expect(run.stdout).toContain('not verified: 1 invalid, 0 drift, 0 pending');
  });
});

describe('rehearse', () => {
  it('applies on a copy, reports the diff, and leaves the target untouched', async () => {
    project = await makeProject();
    const run = await project.run('rehearse', '--json');
    expect(run.code).toBe(0);
    const report = run.json().targets[0].rehearsal;
    expect(report.outcome).toBe('ok');
    expect(report.applied).toEqual(ALL);
    expect(report.diff.changes).toEqual([
      { kind: 'changed', path: 'groceries.json', detail: '~title -body +tags +content +category' },
      { kind: 'changed', path: 'ideas.json', detail: '-body +tags +content +category' },
      { kind: 'changed', path: 'standup.json', detail: '~title -body +tags +content +category' },
    ]);
    for (const [file, data] of Object.entries(V1_NOTES)) expect(await project.readNote(file)).toEqual(data);
    expect(await project.ledger()).toEqual([]);
    expect((await readdir(project.notes)).sort()).toEqual(Object.keys(V1_NOTES).sort());

    const human = await project.run('rehearse');
    expect(human.stdout).toMatch(/changed\s+groceries\.json\s+~title -body \+tags \+content \+category/);
    expect(human.stdout).toContain('3 of 3 note(s) would change');
  });

  it('exits 6 when the plugin cannot rehearse', async () => {
    project = await makeProject({
      config: `import { notesPlugin } from ${JSON.stringify(pluginEntry)};
export default { targets: { notes: { plugin: { ...notesPlugin(), rehearse: undefined }, target: ({ configDir }) => configDir + '/notes' } } };
`,
    });
    const run = await project.run('rehearse', '--json');
    expect(run.code).toBe(ExitCode.NOT_SUPPORTED);
    expect(run.json().targets[0].error.code).toBe('NOT_SUPPORTED');
  });
});
