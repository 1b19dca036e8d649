// `tidemark corpus capture`: a run as a golden case's before/ folder, exactly as the ./testing harness loads
// it: `<dir>/<runid>/...` with the run's absolute path written {RUN_DIR} (Tidemark's `.tidemark/` and
// `archives/` left out).
import { readRunState, writeRunState } from './run-state.js';
import { runIdOf, type RunDirTarget } from './target.js';
import { join } from 'node:path';

export async function captureRunDir(target: RunDirTarget, dir: string): Promise<void> {
  const state = await readRunState({ ...target, runId: runIdOf(target) });
  await writeRunState(state, join(dir, state.runId), { keepPlaceholder: true });
}
