// `tidemark corpus capture --case <name>`: a real target's state as a new fixture case's before/.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describeError, redact } from '@tidemark/core';
import { openTarget, selectOneTarget } from '../config.js';
import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { NewCommandEnv } from './new.js';

const CASE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

export async function captureCommand(env: NewCommandEnv, caseName: string): Promise<ExitCodeValue> {
  const { out, loaded } = env;
  if (!CASE.test(caseName)) throw new CliError(`case name "${caseName}" must match ${CASE}`);
  const [name, entry] = selectOneTarget(loaded, env.target);
  const plugin = entry.plugin;
  if (!plugin.capture)
    throw new CliError(
      `plugin "${plugin.name}" cannot capture a target (it has no capture()); write the case by hand`,
      ExitCode.NOT_SUPPORTED,
    );
  const dir = join(loaded.fixturesDir, plugin.name, caseName, 'before');
  if (existsSync(dir) && (await readdir(dir)).length > 0)
    throw new CliError(`${dir} already exists; choose another case name or delete it`);

  const target = await openTarget(entry, { configDir: loaded.dir, cwd: env.cwd });
  try {
    await plugin.capture(target, dir);
  } catch (error) {
    throw new Error(`capture of ${redact(plugin.describe(target))} failed: ${describeError(error)}`, { cause: error });
  } finally {
    await entry.dispose?.(target);
  }
  const files = existsSync(dir) ? await listFiles(dir) : [];
  const shown = relative(env.cwd, dir).split(sep).join('/');
  if (out.json)
    out.document({
      command: 'corpus capture',
      ok: true,
      exitCode: ExitCode.OK,
      target: name,
      plugin: plugin.name,
      case: caseName,
      dir: shown,
      files,
    });
  else {
    out.print(`${out.paint('green', 'captured')} ${name} into ${shown} (${files.length} file(s))`);
    out.print('next: add the expected after/ (or run the golden tests with the rewrite switch) and review it in git');
  }
  return ExitCode.OK;
}
