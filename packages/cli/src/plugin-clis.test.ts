// `tidemark sheets …` and `tidemark run-dirs …` run the plugins' own commands with the CLI's exit codes; the
// plugins are optional peers, and a missing one is one line saying how to add it.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { isPackageMissing, missingLine, renamedRunDirs } from './plugin-clis.js';
import { runCli } from './run-cli.js';
import { spawnBin } from './test/bin.js';

const LEGACY_RUN = fileURLToPath(
  new URL('../../../fixtures/plugin-run-dirs/full-legacy-run/before/wx-everything', import.meta.url),
);

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function tidemark(argv: string[]) {
  dir ??= await mkdtemp(join(tmpdir(), 'tidemark-plugin-cli-'));
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: dir,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

it(
  'tidemark run-dirs scan / up / scan: the plugin command on a legacy run, exit 0, then nothing pending',
  { timeout: 120_000 },
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-plugin-cli-'));
    const root = join(dir, 'runs');
    await cp(LEGACY_RUN, join(root, 'wx-everything'), { recursive: true });

    const scan = await tidemark(['run-dirs', 'scan', root, '--json']);
    expect(scan.code).toBe(ExitCode.OK);
    const before = JSON.parse(scan.stdout) as { runs: { run: string; pending: string[] }[] };
    expect(before.runs.map((r) => r.run)).toEqual(['wx-everything']);
    expect(before.runs[0]!.pending.length).toBeGreaterThan(0);

    const up = await tidemark(['run-dirs', 'up', root, '--json', '--no-progress']);
    expect(up.code).toBe(ExitCode.OK);

    const after = JSON.parse((await tidemark(['run-dirs', 'scan', root, '--json'])).stdout) as typeof before;
    expect(after.runs[0]!.pending).toEqual([]);
    expect(await readFile(join(root, 'wx-everything', 'nodb.version'), 'utf8')).toMatch(/^\d+/);
  },
);

it("the plugins' usage errors are the CLI's exit 2; their help is exit 0", async () => {
  const help = await tidemark(['run-dirs', '--help']);
  expect(help.code).toBe(ExitCode.OK);
  // Mounted here, the plugins' usage names the command the user typed.
  expect(help.stdout).toContain('  tidemark run-dirs scan <root>');
  expect(help.stdout).not.toContain('tidemark-run-dirs');

  const unknown = await tidemark(['run-dirs', 'explode']);
  expect(unknown.code).toBe(ExitCode.USAGE);
  expect(unknown.stdout).toBe('');

  const format = await tidemark(['run-dirs', 'scan', dir!, '--format', 'yaml']);
  expect(format.code).toBe(ExitCode.USAGE);
  expect(format.stderr).toBe('[tidemark] [plugin-run-dirs] --format takes table, json or log\n');

  const noRoot = await tidemark(['run-dirs', 'scan']);
  expect(noRoot.code).toBe(ExitCode.USAGE);
  expect(noRoot.stderr).toMatch(/scan: a root folder is required/);

  const sheetsHelp = await tidemark(['sheets', '--help']);
  expect(sheetsHelp.code).toBe(ExitCode.OK);
  expect(sheetsHelp.stdout).toContain('usage: tidemark sheets <migrate|verify|rollback|status>');

  const sheets = await tidemark(['sheets']);
  expect(sheets.code).toBe(ExitCode.USAGE);
  expect(sheets.stderr).toContain('usage: tidemark sheets <migrate|verify|rollback|status>');

  // The plugin reads migration_config.json from the CLI's working folder.
  await writeFile(join(dir!, 'migration_config.json'), '{"production_sheet_id": 42}');
  const config = await tidemark(['sheets', 'verify']);
  expect(config.code).toBe(ExitCode.USAGE);
  expect(config.stderr).toMatch(/migration_config\.json: production_sheet_id must be a string/);
});

it(
  'tidemark --help lists both; without the plugins installed each says in one line how to add it',
  { timeout: 120_000 },
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-plugin-cli-'));
    const absent = {
      '@tidemark/plugin-sheets': join(dir, 'node_modules', '@tidemark', 'plugin-sheets'),
      '@tidemark/plugin-run-dirs': join(dir, 'node_modules', '@tidemark', 'plugin-run-dirs'),
    };
    const run = async (args: string[]) => {
      const child = await spawnBin(args, dir!, absent);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      return { code, stdout, stderr };
    };
    for (const [command, pkg] of [
      ['sheets', '@tidemark/plugin-sheets'],
      ['run-dirs', '@tidemark/plugin-run-dirs'],
    ] as const) {
      const missing = await run([command, 'status']);
      expect(missing.stderr).toBe(`error ${missingLine(command, pkg)}\n`);
      expect(missing.code).toBe(ExitCode.USAGE);
      expect(missing.stdout).toBe('');
    }
    const help = await run(['--help']);
    expect(help.code).toBe(ExitCode.OK);
    expect(help.stdout).toMatch(/sheets\s.*needs\s+@tidemark\/plugin-sheets/s);
    expect(help.stdout).toMatch(/run-dirs\s.*needs\s+@tidemark\/plugin-run-dirs/s);
  },
);

it('only the named package missing counts, not a dependency missing inside it', () => {
  const missing = (name: string) =>
    Object.assign(
      new Error(`Cannot find package '${name}' imported from /app/node_modules/@tidemark/cli/dist/plugin-clis.js`),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
  expect(isPackageMissing(missing('@tidemark/plugin-sheets'), '@tidemark/plugin-sheets')).toBe(true);
  expect(
    isPackageMissing(missing('/app/node_modules/@tidemark/plugin-run-dirs/dist/index.js'), '@tidemark/plugin-run-dirs'),
  ).toBe(true);
  expect(isPackageMissing(missing('@googleapis/sheets'), '@tidemark/plugin-sheets')).toBe(false);
  expect(isPackageMissing(missing('@tidemark/plugin-sheets'), '@tidemark/plugin-run-dirs')).toBe(false);
  expect(isPackageMissing(new Error("Cannot find package '@tidemark/plugin-sheets'"), '@tidemark/plugin-sheets')).toBe(
    false,
  );
});

it('renamedRunDirs replaces the command word only, never inside a path, and passes isTTY through', () => {
  let out = '';
  const w = renamedRunDirs({ write: (s: string) => (out += s), isTTY: true });
  w.write(
    'usage:\n  tidemark-run-dirs scan <root>\nrun `tidemark-run-dirs up /runs` next; /tmp/tidemark-run-dirs-1/x\n',
  );
  expect(out).toBe(
    'usage:\n  tidemark run-dirs scan <root>\nrun `tidemark run-dirs up /runs` next; /tmp/tidemark-run-dirs-1/x\n',
  );
  expect(w.isTTY).toBe(true);
});
