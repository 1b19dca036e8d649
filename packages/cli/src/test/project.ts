// A throwaway project for CLI tests: a temp folder with a tidemark.config.ts, a notes folder, and a runCli
// that captures stdout/stderr. The config resolves @tidemark/* to the very modules this test process loaded.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@tidemark/core';
import * as cli from '../index.js';
import { runCli } from '../run-cli.js';

export const pluginEntry = fileURLToPath(new URL('../test-plugin/index.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface Project {
  dir: string;
  notes: string;
  run(...argv: string[]): Promise<CliRun>;
  writeNote(file: string, data: unknown): Promise<void>;
  readNote(file: string): Promise<any>;
  ledger(): Promise<core.LedgerEntry[]>;
  dispose(): Promise<void>;
}

export const V1_NOTES: Record<string, { title: string; body: string }> = {
  'groceries.json': { title: 'Home: Groceries', body: 'eggs, milk #shopping #Weekly' },
  'standup.json': { title: 'Work: Standup', body: 'ship the #cli today #work' },
  'ideas.json': { title: 'Ideas', body: 'no tags here' },
};

/**
 * The app layout `tidemark init` writes: the config, src/migrations/index.ts (one list per target), and here
 * the notes plugin as src/notes/ (what a package import would be), which the notes templates import.
 */
export async function makeProject(
  options: { config?: string; notes?: Record<string, unknown>; index?: string } = {},
): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-cli-'));
  await mkdir(join(dir, 'src', 'notes'), { recursive: true });
  await writeFile(join(dir, 'src', 'notes', 'index.ts'), `export * from ${JSON.stringify(pluginEntry)};\n`);
  await mkdir(join(dir, 'src', 'migrations'));
  await writeFile(
    join(dir, 'src', 'migrations', 'index.ts'),
    options.index ?? 'export const migrations = {\n  notes: [],\n};\n',
  );
  const notes = join(dir, 'notes');
  await mkdir(notes);
  for (const [file, data] of Object.entries(options.notes ?? V1_NOTES))
    await writeFile(join(notes, file), `${JSON.stringify(data, null, 2)}\n`);
  const config =
    options.config ??
    `import { defineConfig } from '@tidemark/cli';
import { notesPlugin } from './src/notes/index.js';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    notes: { plugin: notesPlugin({ migrations: migrations.notes }), target: ({ configDir }) => configDir + '/notes', lock: { waitMs: 200 } },
  },
});
`;
  await writeFile(join(dir, 'tidemark.config.ts'), config);
  return {
    dir,
    notes,
    async run(...argv) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, {
        cwd: dir,
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        modules: { '@tidemark/core': core, '@tidemark/cli': cli },
      });
      return { code, stdout, stderr, json: () => JSON.parse(stdout) };
    },
    writeNote: (file, data) => writeFile(join(notes, file), `${JSON.stringify(data, null, 2)}\n`),
    readNote: async (file) => JSON.parse(await readFile(join(notes, file), 'utf8')),
    ledger: async () => {
      try {
        return (
          JSON.parse(await readFile(join(notes, '.tidemark-ledger.json'), 'utf8')) as { entries: core.LedgerEntry[] }
        ).entries;
      } catch {
        return [];
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
