// Old flat jsonpickle `.nodb` files get their state nested under "py/state", as today's NoDb classes
// (__getstate__) write it; "py/*" keys stay at the top, everything else moves, order kept.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import { writeFileAtomic } from '../file-ops.js';
import { detectStyle, PyObj, stringifyPyJson } from '../json/py-json.js';
import { readPyJsonFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { findFlatJsonpickle, isFlatJsonpickle, nestJsonpickle, nodbFiles } from '../traits/nodb-json.js';

export const nodbJsonpickleNested = defineMigration<RunDirTarget>({
  id: '002_nodb_jsonpickle_nested',
  title: '.nodb files: flat jsonpickle -> nested "py/state"',
  version: 1003,
  requires: ['001_nodb_run_paths'],
  async up(ctx) {
    for (const file of await findFlatJsonpickle(ctx.target)) {
      const { text, value } = await readPyJsonFile(ctx.target, file);
      await writeFileAtomic(runPath(ctx.target, file), stringifyPyJson(nestJsonpickle(value as PyObj), detectStyle(text)));
      ctx.log(`${file}: nested under py/state`);
    }
  },
  async validate(ctx) {
    const issues: ValidationIssue[] = [];
    for (const file of await nodbFiles(ctx.target)) {
      const { value } = await readPyJsonFile(ctx.target, file);
      if (!(value instanceof PyObj) || !value.has('py/object')) issues.push({ where: file, message: 'not a jsonpickle object (no "py/object")' });
      else if (isFlatJsonpickle(value)) issues.push({ where: file, message: 'still flat: state keys beside "py/object", no "py/state"' });
    }
    return issues;
  },
});
