// `tidemark init --plugin <name>`: a new app's tidemark.config.ts, its one migrations index and the index's
// test. Refuses to overwrite: if any of the files exists, nothing is written.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { Output } from '../output.js';
import { newIndexSource } from '../scaffold/register.js';
import { INIT_KINDS, INIT_TEST, TARGET_NAME } from '../scaffold/init-templates.js';

export const INIT_PLUGINS = Object.keys(INIT_KINDS);

export async function initCommand(
  env: { cwd: string; out: Output },
  options: { plugin?: string },
): Promise<ExitCodeValue> {
  const { cwd, out } = env;
  const name = options.plugin;
  if (!name) throw new CliError(`choose what the app migrates with --plugin <${INIT_PLUGINS.join('|')}>`);
  const kind = INIT_KINDS[name];
  if (!kind) throw new CliError(`unknown plugin "${name}"; choose one of: ${INIT_PLUGINS.join(', ')}`);

  const files: [string, string][] = [
    [join(cwd, 'tidemark.config.ts'), kind.config],
    [join(cwd, 'src', 'migrations', 'index.ts'), newIndexSource({ [TARGET_NAME]: [] })],
    [join(cwd, 'src', 'migrations', 'index.test.ts'), INIT_TEST],
  ];
  const taken = files.filter(([path]) => existsSync(path)).map(([path]) => path);
  if (taken.length > 0)
    throw new CliError(`${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; nothing was written`);

  await mkdir(join(cwd, 'src', 'migrations'), { recursive: true });
  for (const [path, source] of files) await writeFile(path, source, { flag: 'wx' });

  const shown = files.map(([path]) => relative(cwd, path).split(sep).join('/'));
  const install = ['@tidemark/cli', '@tidemark/core', '@tidemark/testing', ...kind.packages];
  if (out.json)
    out.document({
      command: 'init',
      ok: true,
      exitCode: ExitCode.OK,
      plugin: name,
      target: TARGET_NAME,
      files: shown,
      packages: install,
      env: kind.env,
    });
  else {
    out.print(`${out.paint('green', 'created')} a Tidemark app for ${name} (target "${TARGET_NAME}")`);
    for (const file of shown) out.print(`  ${file}`);
    out.print(`next: npm install -D ${install.join(' ')} vitest`);
    out.print(
      `      set ${kind.env.join(', ')} (or keep the local defaults in tidemark.config.ts), then \`tidemark new <name>\``,
    );
  }
  return ExitCode.OK;
}
