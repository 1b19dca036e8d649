// The command's frame: config discovery and errors, target selection, output modes, colours, secrets, locks.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import * as cli from './index.js';
import { ExitCode } from './exit-codes.js';
import { runCli } from './run-cli.js';
import { makeProject, pluginEntry, type Project } from './test/project.js';

let project: Project;
afterEach(async () => {
  await project?.dispose();
});

const modules = { '@tidemark/core': core, '@tidemark/cli': cli };
async function runIn(cwd: string, argv: string[], env: Record<string, string> = {}, tty = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    env,
    modules,
    stdout: { write: (s: string) => (stdout += s), isTTY: tty },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty },
  });
  return { code, stdout, stderr };
}

describe('config', () => {
  it('is found in a parent folder, or named with --config', async () => {
    project = await makeProject();
    const nested = join(project.dir, 'a', 'b');
    await mkdir(nested, { recursive: true });
    expect((await runIn(nested, ['status'])).code).toBe(0);

    await mkdir(join(project.dir, 'elsewhere'));
    const other = join(project.dir, 'elsewhere', 'other.config.ts');
    await writeFile(
      other,
      (await readFile(join(project.dir, 'tidemark.config.ts'), 'utf8')).replaceAll("'./src/", "'../src/"),
    );
    const run = await runIn(nested, ['status', '--json', '--config', '../../elsewhere/other.config.ts']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).targets[0].target).toBe(`notes:${join(project.dir, 'elsewhere', 'notes')}`);
  });

  it('exits 2 when there is no config, or it is broken, or it names no plugin', async () => {
    project = await makeProject();
    const none = await runIn(project.notes, ['status', '--config', 'missing.ts']);
    expect(none.code).toBe(ExitCode.USAGE);
    expect(none.stderr).toContain('config file not found');

    await writeFile(join(project.dir, 'tidemark.config.ts'), 'export default { targets: {} };');
    const empty = await project.run('status', '--json');
    expect(empty.code).toBe(ExitCode.USAGE);
    expect(empty.json()).toMatchObject({ command: 'status', ok: false, exitCode: 2 });
    expect(empty.stderr).toContain('"targets" must name at least one target');

    await writeFile(
      join(project.dir, 'tidemark.config.ts'),
      "export default { targets: { x: { plugin: { name: 'p' }, target: 1 } } };",
    );
    expect((await project.run('plan')).stderr).toContain('targets.x.plugin must be a Tidemark plugin');

    await writeFile(join(project.dir, 'tidemark.config.ts'), "import './nope.js';\nexport default {};");
    const broken = await project.run('plan');
    expect(broken.code).toBe(ExitCode.USAGE);
    expect(broken.stderr.trim()).toBe(
      `error ${join(project.dir, 'tidemark.config.ts')}:1: cannot find module './nope.js', no such file`,
    );
  });

  it('runs every target, or the one named by --target; opens targets lazily and disposes them', async () => {
    project = await makeProject({
      config: `import { defineConfig } from '@tidemark/cli';
import { writeFileSync } from 'node:fs';
import { notesPlugin } from ${JSON.stringify(pluginEntry)};
export default defineConfig({
  targets: {
    first: { plugin: notesPlugin(), target: async ({ configDir }) => configDir + '/notes', dispose: (dir) => writeFileSync(dir + '/../disposed-first', 'yes') },
    second: { plugin: notesPlugin(), target: ({ configDir }) => configDir + '/notes2' },
  },
});
`,
    });
    await mkdir(join(project.dir, 'notes2'));
    await writeFile(join(project.dir, 'notes2', 'n.json'), JSON.stringify({ title: 'T', body: 'b' }));
    const both = await project.run('up', '--json');
    expect(both.code).toBe(0);
    expect(
      both
        .json()
        .targets.map((t: { name: string; result: { applied: string[] } }) => [t.name, t.result.applied.length]),
    ).toEqual([
      ['first', 3],
      ['second', 3],
    ]);
    expect(await readFile(join(project.dir, 'disposed-first'), 'utf8')).toBe('yes');

    const one = await project.run('status', '--target', 'second', '--json');
    expect(one.json().targets.map((t: { name: string }) => t.name)).toEqual(['second']);
    const unknown = await project.run('status', '--target', 'third');
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.stderr).toContain('unknown target "third"; the config names: first, second');
  });
});

describe('output', () => {
  it('--json prints exactly one JSON document and no events; --log-json streams events as JSON lines on stderr', async () => {
    project = await makeProject();
    const run = await project.run('up', '--json', '--log-json');
    expect(run.code).toBe(0);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
    const events = run.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as core.TidemarkEvent);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('lock:acquired');
    expect(types.indexOf('trait:detected')).toBeLessThan(types.indexOf('plan:ready'));
    expect(types.filter((t) => t === 'step:finished')).toHaveLength(3);
    expect(types.at(-1)).toBe('lock:released');
    expect(events.every((e) => e.target === `notes:${project.notes}`)).toBe(true);

    await project.run('down', '--all');
    const quiet = await project.run('up', '--json');
    expect(quiet.stderr).toBe('');
  });

  it('colours only on a TTY, never with NO_COLOR or --no-color', async () => {
    project = await makeProject();
    const ESC = '\u001b[';
    expect((await runIn(project.dir, ['status'], {}, true)).stdout).toContain(ESC);
    expect((await runIn(project.dir, ['status'], { NO_COLOR: '1' }, true)).stdout).not.toContain(ESC);
    expect((await runIn(project.dir, ['status', '--no-color'], {}, true)).stdout).not.toContain(ESC);
    expect((await runIn(project.dir, ['status'], {}, false)).stdout).not.toContain(ESC);
    expect((await runIn(project.dir, ['status'], { FORCE_COLOR: '1' }, false)).stdout).toContain(ESC);
  });

  it('never prints a secret from a target label or an error', async () => {
    project = await makeProject({
      config: `import { notesPlugin } from ${JSON.stringify(pluginEntry)};
const plugin = notesPlugin();
export default { targets: {
  leaky: { plugin: { ...plugin, describe: () => 'postgres://admin:hunter2@db.internal/app' }, target: ({ configDir }) => configDir + '/notes' },
  down: { plugin, target: () => { throw new Error('connect to postgres://app:s3cr3t@10.0.0.1/db failed; token=abcdef123'); } },
} };
`,
    });
    for (const argv of [['status'], ['up', '--json'], ['up', '--log-json'], ['verify', '--json', '--log-json']]) {
      const run = await project.run(...argv);
      const all = run.stdout + run.stderr;
      expect(all).not.toContain('hunter2');
      expect(all).not.toContain('s3cr3t');
      expect(all).not.toContain('abcdef123');
      expect(all).toContain('postgres://admin:***@db.internal/app');
    }
    const run = await project.run('status', '--json');
    expect(run.code).toBe(ExitCode.FAILED);
    expect(run.json().targets[1].error.message).toContain('postgres://app:***@10.0.0.1/db');
  });

  it('prints help and version with exit 0; unknown commands and options exit 2', async () => {
    project = await makeProject();
    const help = await project.run('--help');
    expect(help.code).toBe(0);
    for (const cmd of ['status', 'plan', 'up', 'down', 'verify', 'rehearse', 'new', 'corpus'])
      expect(help.stdout).toContain(cmd);
    expect((await project.run('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await project.run('frobnicate')).code).toBe(ExitCode.USAGE);
    expect((await project.run('up', '--sideways')).code).toBe(ExitCode.USAGE);
    expect((await project.run('up', '--lock-wait', 'soon')).code).toBe(ExitCode.USAGE);
    expect((await project.run()).code).toBe(ExitCode.USAGE);
  });
});

describe('lock', () => {
  const lockFile = (p: Project) => join(p.notes, '.tidemark-lock.json');
  const holder = (expiresAt: string) =>
    JSON.stringify({ token: 'other-runner', host: 'elsewhere', pid: 4242, since: new Date().toISOString(), expiresAt });

  it('waits for --lock-wait, then exits 3 naming the holder; nothing is changed', async () => {
    project = await makeProject();
    await writeFile(lockFile(project), holder(new Date(Date.now() + 60_000).toISOString()));
    const status = await project.run('status');
    expect(status.stdout).toMatch(/lock: held by elsewhere:4242 until/);
    const run = await project.run('up', '--lock-wait', '150', '--json');
    expect(run.code).toBe(ExitCode.LOCK_TIMEOUT);
    expect(run.json().targets[0].error).toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(run.json().targets[0].error.message).toContain('held by elsewhere:4242');
    expect(await project.ledger()).toEqual([]);
  });

  it('takes over the lease of a crashed holder once it expired, and releases its own', async () => {
    project = await makeProject();
    await writeFile(lockFile(project), holder(new Date(Date.now() - 1000).toISOString()));
    const run = await project.run('up');
    expect(run.code).toBe(0);
    expect(await project.ledger()).toHaveLength(3);
    await expect(readFile(lockFile(project))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
