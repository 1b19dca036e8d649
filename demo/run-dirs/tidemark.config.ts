// Seed 000: every WEPPcloud run directory under a runs root is one target. The default guard stack of
// runDirsPlugin refuses a READONLY run, checks free disk and zips the run to archives/<runid>.pre_migration.<ts>.zip
// before the first write, restoring it from that archive when a step fails.
// Copy it: set RUNS_ROOT to your runs root (the demo points it at a temp copy of the golden corpus).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type TargetConfig } from '@tidemark/cli';
import { runDirsPlugin, type RunDirTarget } from '@tidemark/plugin-run-dirs';

const root = process.env.RUNS_ROOT;
if (!root) throw new Error('set RUNS_ROOT to a folder of run directories (npm run demo -- run-dirs does)');

const plugin = runDirsPlugin({ snapshot: 'zip' });
const runs = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

export default defineConfig({
  targets: Object.fromEntries(
    runs.map((runId): [string, TargetConfig<RunDirTarget>] => [
      runId,
      { plugin, target: { dir: join(root, runId), runId } },
    ]),
  ),
});
