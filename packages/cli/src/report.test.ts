// The optional plugin report hook: printed after up/down for people, carried under `report` in --json, told
// about a failed run, and a broken hook is a warning that never changes the exit code.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { makeProject, pluginEntry, type Project } from './test/project.js';

const config = (report: string) => `import { defineConfig } from '@tidemark/cli';
import { notesPlugin } from ${JSON.stringify(pluginEntry)};

const plugin = { ...notesPlugin(), report: ${report} };
export default defineConfig({
  targets: { notes: { plugin, target: ({ configDir }) => configDir + '/notes', lock: { waitMs: 200 } } },
});
`;

const RUNBOOK = `async (dir, ctx) => ({
  text: 'RUNBOOK ' + ctx.command + ': ' + (ctx.result ? ctx.result.outcome + ' ' + ctx.result.applied.concat(ctx.result.reverted).join(',') : 'failed: ' + String(ctx.error && ctx.error.message).slice(0, 40)),
  data: { command: ctx.command, ok: ctx.result !== undefined, dirEndsWith: dir.slice(-5) },
})`;

let project: Project;
afterEach(async () => {
  await project?.dispose();
});

describe('plugin report hook', () => {
  it('prints the report after up and down, and --json carries its data', async () => {
    project = await makeProject({ config: config(RUNBOOK) });
    const up = await project.run('up');
    expect(up.code).toBe(ExitCode.OK);
    expect(up.stdout).toContain('RUNBOOK up: ok 001_add_tags,002_rename_body,003_split_title');
    expect(up.stdout.indexOf('RUNBOOK')).toBeGreaterThan(up.stdout.indexOf('applied 3'));

    const again = await project.run('up', '--json');
    expect(again.code).toBe(ExitCode.OK);
    const doc = again.json();
    expect(doc.targets[0].report).toEqual({ command: 'up', ok: true, dirEndsWith: 'notes' });
    expect(again.stdout).not.toContain('RUNBOOK');

    const down = await project.run('down', '--all');
    expect(down.stdout).toContain('RUNBOOK down: ok 003_split_title,002_rename_body,001_add_tags');
    const dry = await project.run('up', '--dry-run');
    expect(dry.stdout).not.toContain('RUNBOOK');
  });

  it('is called after a failed run too, with the error', async () => {
    project = await makeProject({ config: config(RUNBOOK) });
    await writeFile(join(project.notes, 'broken.json'), '{ "title": ');
    const up = await project.run('up');
    expect(up.code).not.toBe(ExitCode.OK);
    expect(up.stdout).toMatch(/RUNBOOK up: failed: /);
  });

  it('a report that throws is a warning; the command still succeeds', async () => {
    project = await makeProject({ config: config(`async () => { throw new Error('report broke'); }`) });
    const up = await project.run('up', '--json');
    expect(up.code).toBe(ExitCode.OK);
    expect(up.json().targets[0]).not.toHaveProperty('report');
    expect(up.stderr).toContain("the plugin's report failed: report broke");
  });
});
