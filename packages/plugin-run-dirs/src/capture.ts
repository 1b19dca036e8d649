// Captures a run directory as a fixture case's before/: `<dir>/<runid>/` in the layout the golden loader reads
// (parquet re-encoded from its rows, the run's own absolute path written as {RUN_DIR}; no ledger, lock,
// snapshots or archives). A symbolic link that leaves the run is refused: a fixture must not pick up (and a
// reviewer then commit) a file from elsewhere on the machine.
import { lstat, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RunDirError } from './errors.js';
import { readRunState, writeRunState } from './run-state.js';
import { ARCHIVES_DIR, runIdOf, TIDEMARK_DIR, type RunDirTarget } from './target.js';

async function refuseEscapingLinks(root: string, rel = ''): Promise<void> {
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (child === TIDEMARK_DIR || child === ARCHIVES_DIR) continue;
    const abs = join(root, child);
    if ((await lstat(abs)).isSymbolicLink()) {
      const to = relative(root, await realpath(abs));
      if (to === '..' || to.startsWith(`..${sep}`) || isAbsolute(to))
        throw new RunDirError(
          `capture: ${child} links outside the run; copy the file into the run or remove the link`,
          { file: child },
        );
    } else if (e.isDirectory()) await refuseEscapingLinks(root, child);
  }
}

export async function captureRunDir(target: RunDirTarget, dir: string): Promise<void> {
  await refuseEscapingLinks(await realpath(resolve(target.dir)));
  const state = await readRunState({ ...target, runId: runIdOf(target) });
  await writeRunState(state, join(dir, state.runId), { keepPlaceholder: true });
}
