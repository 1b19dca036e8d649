// Child process for the kill -9 test: migrates one run and SIGKILLs itself at the N-th file operation
// (argv: dir runId killAt). Nothing after the kill runs: no finally, no restore, no lock release.
import { createRunner } from '@tidemark/core';
import { onFileOp } from '../file-ops.js';
import { runDirsPlugin } from '../plugin.js';

const [dir, runId, killAt] = process.argv.slice(2);
onFileOp((op) => {
  if (op.n === Number(killAt)) process.kill(process.pid, 'SIGKILL');
});
await createRunner({
  plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }),
  target: { dir: dir!, runId: runId! },
  lock: { ttlMs: 1500 },
}).up();
process.stdout.write('finished without being killed\n');
