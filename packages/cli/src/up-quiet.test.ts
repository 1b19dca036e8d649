// `up` with nothing to do is one summary line; the plugin's report (a runbook) comes after work or with --verbose.
import { afterEach, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { makeProject, pluginEntry, type Project } from './test/project.js';

const RUNBOOK_LINES = Array.from({ length: 27 }, (_, i) => `runbook step ${i + 1}`).join('\\n');
const config = `import { defineConfig } from '@tidemark/cli';
import { notesPlugin } from ${JSON.stringify(pluginEntry)};

const plugin = { ...notesPlugin(), report: async (_dir, ctx) => ({ text: 'RUNBOOK ' + ctx.command + '\\n${RUNBOOK_LINES}', data: { outcome: ctx.result?.outcome } }) };
export default defineConfig({
  targets: { notes: { plugin, target: ({ configDir }) => configDir + '/notes', lock: { waitMs: 200 } } },
});
`;

let project: Project;
afterEach(async () => {
  await project?.dispose();
});

it('up with nothing to do prints the target and one summary line; the report after work, or with --verbose', async () => {
  project = await makeProject({ config });
  const first = await project.run('up');
  expect(first.code).toBe(ExitCode.OK);
  expect(first.stdout).toContain('RUNBOOK up');
  expect(first.stdout).toContain('runbook step 27');

  const again = await project.run('up');
  expect(again.code).toBe(ExitCode.OK);
  const lines = again.stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toEqual([`notes notes · notes:${project.notes}`, 'up to date: nothing to apply (3 recorded)']);
  // Nor a progress line on stderr repeating it ("plan: 0 to apply, 0 to baseline, 0 drift, 0 external").
  expect(again.stderr).toBe('');

  const verbose = await project.run('up', '--verbose');
  expect(verbose.stdout).toContain('up to date: nothing to apply (3 recorded)');
  expect(verbose.stdout).toContain('runbook step 27');

  // Machines still get the report's data.
  const json = await project.run('up', '--json');
  expect(json.json().targets[0].report).toEqual({ outcome: 'nothing-to-do' });
});
