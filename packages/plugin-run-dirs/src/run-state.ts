// A run directory as plain data, for fixtures and tests: parquet becomes {columns, rows, metadata}
// (binary files compare structurally), text stays text with the run's own absolute path written as
// {RUN_DIR}, anything else is base64, and a symbolic link is its target text (never followed: links in a
// run are data, README "Symlinks"). Tidemark's own `.tidemark/` and the `archives/` folder are left out.
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeParquet, readParquet, type ColumnSpec, type Cell } from './tables/parquet.js';
import { ARCHIVES_DIR, TIDEMARK_DIR, runIdOf, type RunDirTarget } from './target.js';

export const RUN_DIR_PLACEHOLDER = '{RUN_DIR}';

export type FileState =
  | { parquet: { columns: ColumnSpec[]; rows: Record<string, Cell>[]; metadata: { key: string; value?: string }[] } }
  | { text: string }
  | { base64: string }
  /** A symbolic link with this target text (an absolute target in the run written with {RUN_DIR}). */
  | { link: string }
  | { dir: true };

export interface RunState {
  runId: string;
  /** Relative POSIX path -> content; folders appear only when empty. */
  files: Record<string, FileState>;
}

const skipped = (rel: string) =>
  rel === TIDEMARK_DIR ||
  rel.startsWith(`${TIDEMARK_DIR}/`) ||
  rel === ARCHIVES_DIR ||
  rel.startsWith(`${ARCHIVES_DIR}/`);

function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const withPlaceholder = (text: string, root: string) => text.split(root).join(RUN_DIR_PLACEHOLDER);

export async function readRunState(target: RunDirTarget): Promise<RunState> {
  const root = resolve(target.dir);
  const files: Record<string, FileState> = {};
  const walk = async (rel: string): Promise<number> => {
    const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    let kept = 0;
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (skipped(child)) continue;
      kept++;
      const abs = join(root, child);
      if (e.isSymbolicLink()) {
        files[child] = { link: withPlaceholder(await readlink(abs), root) };
        continue;
      }
      if (e.isDirectory()) {
        if ((await walk(child)) === 0) files[child] = { dir: true };
        continue;
      }
      const bytes = await readFile(abs);
      if (e.name.endsWith('.parquet')) {
        try {
          const t = await readParquet(abs, child);
          files[child] = { parquet: { columns: t.columns, rows: t.rows, metadata: t.metadata } };
          continue;
        } catch {
          // a corrupt parquet file is kept as bytes
        }
      }
      files[child] = looksLikeText(bytes)
        ? { text: withPlaceholder(bytes.toString('utf8'), root) }
        : { base64: bytes.toString('base64') };
    }
    return kept;
  };
  await walk('');
  return {
    runId: runIdOf(target),
    files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/**
 * Writes the state into `dir` (which must be empty or missing). `{RUN_DIR}` becomes the folder's absolute
 * path, except for fixtures on disk (`keepPlaceholder`), which must not hold one machine's paths.
 */
export async function writeRunState(
  state: RunState,
  dir: string,
  options: { keepPlaceholder?: boolean } = {},
): Promise<void> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  for (const [rel, file] of Object.entries(state.files)) {
    const abs = join(root, rel);
    if ('dir' in file) {
      await mkdir(abs, { recursive: true });
      continue;
    }
    await mkdir(join(abs, '..'), { recursive: true });
    if ('link' in file)
      await symlink(options.keepPlaceholder ? file.link : file.link.split(RUN_DIR_PLACEHOLDER).join(root), abs);
    else if ('parquet' in file)
      await writeFile(
        abs,
        encodeParquet({ columns: file.parquet.columns, rows: file.parquet.rows }, file.parquet.metadata, rel),
      );
    else if ('text' in file)
      await writeFile(abs, options.keepPlaceholder ? file.text : file.text.split(RUN_DIR_PLACEHOLDER).join(root));
    else await writeFile(abs, Buffer.from(file.base64, 'base64'));
  }
}

/** A fresh run `<tmp>/<runId>` holding the state; `cleanup` removes the temp folder. */
export async function createRunFromState(
  state: RunState,
): Promise<{ target: RunDirTarget & { runId: string }; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'tidemark-run-'));
  const dir = join(base, state.runId);
  await writeRunState(state, dir);
  return { target: { dir, runId: state.runId }, cleanup: () => rm(base, { recursive: true, force: true }) };
}
