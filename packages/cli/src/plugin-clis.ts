// `tidemark sheets …` and `tidemark run-dirs …` are the plugins' own commands (`tidemark-sheets`,
// `tidemark-run-dirs`), mounted here. The plugins are optional peers: only the one a command names is loaded,
// and when it is not installed that is one line saying how to add it (exit 2, like `tidemark fleet`).
// Type-only imports: erased from the build, so the CLI loads without either plugin installed.
import type * as RunDirs from '@tidemark/plugin-run-dirs';
import type * as Sheets from '@tidemark/plugin-sheets';
import { CliError, ExitCode } from './exit-codes.js';
import type { Writer } from './output.js';

export interface PluginCliIo {
  cwd: string;
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
}

interface PluginCli {
  packageName: string;
  description: string;
  run(argv: readonly string[], io: PluginCliIo): Promise<number>;
}

/** True when `error` says that `packageName` itself is not installed (not one of its own dependencies). */
export function isPackageMissing(error: unknown, packageName: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null || (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND'))
    return false;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(String(e.message))?.[1];
  const escaped = packageName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return (
    name !== undefined && new RegExp(`(?:^|/node_modules/)${escaped}(?:/(?:index\\.js|dist/index\\.js))?$`).test(name)
  );
}

export function missingLine(command: string, packageName: string): string {
  return `tidemark ${command} needs the optional package ${packageName}: npm i ${packageName}`;
}

async function load<M>(command: string, packageName: string, importer: () => Promise<M>): Promise<M> {
  try {
    return await importer();
  } catch (error) {
    if (isPackageMissing(error, packageName)) throw new CliError(missingLine(command, packageName), ExitCode.USAGE);
    throw error;
  }
}

// The plugins' streams are Node writables; the CLI's writers (quietPipe, a test's buffer) have what they use.
const asStream = (w: Writer) => w as unknown as NodeJS.WritableStream & { isTTY?: boolean };

/**
 * run-dirs names itself `tidemark-run-dirs` in its usage and hints; mounted here the user typed `tidemark
 * run-dirs`, so its text says that. Only the command word is replaced (a path holding the name is not).
 */
export function renamedRunDirs(w: Writer): Writer & { columns?: number } {
  const word = /(^|[\s`'"(])tidemark-run-dirs(?=[\s`'")]|$)/gm;
  return {
    write: (chunk: string) => w.write(typeof chunk === 'string' ? chunk.replace(word, '$1tidemark run-dirs') : chunk),
    get isTTY() {
      return w.isTTY;
    },
    get columns() {
      return (w as { columns?: number }).columns;
    },
  };
}

export const PLUGIN_CLIS: Record<string, PluginCli> = {
  sheets: {
    packageName: '@tidemark/plugin-sheets',
    description:
      'the Google Sheets v2.1 -> v3.0 migration: migrate, verify, rollback, status (tidemark-sheets; needs @tidemark/plugin-sheets)',
    async run(argv, io) {
      const sheets: typeof Sheets = await load(
        'sheets',
        '@tidemark/plugin-sheets',
        () => import('@tidemark/plugin-sheets'),
      );
      return sheets.runCli([...argv], {
        out: (t) => void io.stdout.write(t),
        err: (t) => void io.stderr.write(t),
        cwd: io.cwd,
        name: 'tidemark sheets',
      });
    },
  },
  'run-dirs': {
    packageName: '@tidemark/plugin-run-dirs',
    description:
      'many run directories at once: scan, up, prune-archives (tidemark-run-dirs; needs @tidemark/plugin-run-dirs)',
    async run(argv, io) {
      const runDirs: typeof RunDirs = await load(
        'run-dirs',
        '@tidemark/plugin-run-dirs',
        () => import('@tidemark/plugin-run-dirs'),
      );
      // An interrupted `up` finishes the runs it has started and takes no new ones, as tidemark-run-dirs does.
      const controller = new AbortController();
      const abort = () => controller.abort();
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      try {
        const stdout = asStream(renamedRunDirs(io.stdout));
        const stderr = asStream(renamedRunDirs(io.stderr));
        return await runDirs.runFleetCli(argv, { stdout, stderr, env: io.env, signal: controller.signal });
      } finally {
        process.off('SIGINT', abort);
        process.off('SIGTERM', abort);
      }
    },
  },
};
