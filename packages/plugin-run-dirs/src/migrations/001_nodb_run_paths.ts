// Stale absolute paths in `.nodb` files (`/geodata/wc1/runs/<prefix>/<runid>`, `/geodata/weppcloud_runs/<runid>`,
// or a recorded `wd` the run no longer lives at) are rewritten to the run's current folder. Only string
// values change; the file keeps its key order, number lexemes, NaN and layout.
import { resolve } from 'node:path';
import { defineMigration } from '@tidemark/core';
import { writeFileAtomic } from '../file-ops.js';
import { detectStyle, mapStrings, stringifyPyJson } from '../json/py-json.js';
import { readPyJsonFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { findStalePaths, rewritePath, staleRoots } from '../traits/nodb-json.js';

export const nodbRunPaths = defineMigration<RunDirTarget>({
  id: '001_nodb_run_paths',
  title: '.nodb files: rewrite stale absolute run paths to the current folder',
  version: 1003,
  async up(ctx) {
    const here = resolve(ctx.target.dir);
    for (const { file } of await findStalePaths(ctx.target)) {
      const { text, value } = await readPyJsonFile(ctx.target, file);
      const roots = staleRoots(ctx.target, value);
      const { value: next, changed } = mapStrings(value, (s) => rewritePath(s, roots, here));
      await writeFileAtomic(runPath(ctx.target, file), stringifyPyJson(next, detectStyle(text)));
      ctx.log(`${file}: ${changed} path(s) rewritten`);
    }
  },
  async validate(ctx) {
    return (await findStalePaths(ctx.target)).map((f) => ({ where: f.file, message: `${f.count} stale path(s) remain` }));
  },
});
