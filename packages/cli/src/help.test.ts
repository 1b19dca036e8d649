// `tidemark --help` carries examples and the exit-code table of exit-codes.ts, every code once.
import { expect, it } from 'vitest';
import { EXIT_CODE_MEANINGS, ExitCode } from './exit-codes.js';
import { runCli } from './run-cli.js';

it('--help lists examples and every exit code with its meaning', async () => {
  let stdout = '';
  const code = await runCli(['--help'], {
    cwd: process.cwd(),
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
  });
  expect(code).toBe(ExitCode.OK);
  expect(stdout).toMatch(/\nExamples:\n {2}tidemark /);
  const table = stdout.slice(stdout.indexOf('\nExit codes:\n'));
  expect(table.length).toBeGreaterThan(0);
  const rows = table.trim().split('\n').slice(1);
  expect(rows).toEqual(
    (Object.keys(ExitCode) as (keyof typeof ExitCode)[]).map((k) => `  ${ExitCode[k]}  ${EXIT_CODE_MEANINGS[k]}`),
  );
  expect(rows.map((r) => Number(r.trim().split(' ')[0]))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  // Each example names a real command.
  const commands = [
    'init',
    'new',
    'plan',
    'up',
    'down',
    'verify',
    'rehearse',
    'status',
    'corpus',
    'run-dirs',
    'sheets',
    'fleet',
  ];
  const examples = stdout
    .slice(stdout.indexOf('Examples:'), stdout.indexOf('\nExit codes:'))
    .trim()
    .split('\n')
    .slice(1);
  expect(examples.length).toBeGreaterThan(3);
  for (const e of examples) expect(commands).toContain(e.trim().split(/\s+/)[1]);
});
