// Root sidecars move into their folders as the real tool does: hard link at the destination, verify the
// sha256 of both names, then unlink the root name. A different file already at the destination stops the
// migration (nothing is overwritten); an identical one just lets the root copy go.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import { RunDirError } from '../errors.js';
import { linkFile, removeFile } from '../file-ops.js';
import { isFile, sha256File } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { findRootSidecars } from '../traits/root-sidecars.js';

export const rootSidecars = defineMigration<RunDirTarget>({
  id: '003_root_sidecars',
  title: 'Move root parquet sidecars into their folders (sha256 verified)',
  version: 1001,
  async up(ctx) {
    const moves = await findRootSidecars(ctx.target);
    for (const [i, move] of moves.entries()) {
      const from = runPath(ctx.target, move.from);
      const to = runPath(ctx.target, move.to);
      const hash = await sha256File(from);
      if (await isFile(to)) {
        const there = await sha256File(to);
        if (there !== hash) {
          throw new RunDirError(`${move.from}: ${move.to} already exists with different content (sha256 ${there.slice(0, 12)} vs ${hash.slice(0, 12)}); resolve by hand`, { file: move.from });
        }
      } else {
        await linkFile(from, to);
        const linked = await sha256File(to);
        if (linked !== hash) throw new RunDirError(`${move.to}: sha256 after linking differs from ${move.from}`, { file: move.to });
      }
      await removeFile(from);
      ctx.progress(i + 1, moves.length, `${move.from} -> ${move.to}`);
    }
  },
  async validate(ctx) {
    const issues: ValidationIssue[] = [];
    for (const move of await findRootSidecars(ctx.target)) issues.push({ where: move.from, message: `still in the run root (belongs at ${move.to})` });
    return issues;
  },
});
