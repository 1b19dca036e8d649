// Traits over the jsonpickle `.nodb` files in the run root: the old flat form (state beside "py/object"
// instead of under "py/state"), and absolute paths that still point where the run used to live.
import { resolve } from 'node:path';
import { defineTrait } from '@tidemark/core';
import { PyObj, type PyValue } from '../json/py-json.js';
import { listFiles, readPyJsonFile } from '../run-files.js';
import { runIdOf, type RunDirTarget } from '../target.js';

export async function nodbFiles(target: RunDirTarget): Promise<string[]> {
  return (await listFiles(target)).filter((n) => n.endsWith('.nodb'));
}

/** Flat jsonpickle: a top-level object with "py/object" and state keys beside it, no "py/state". */
export function isFlatJsonpickle(value: PyValue): boolean {
  return (
    value instanceof PyObj &&
    value.has('py/object') &&
    !value.has('py/state') &&
    value.entries.some(([k]) => !k.startsWith('py/'))
  );
}

export function nestJsonpickle(value: PyObj): PyObj {
  const meta = value.entries.filter(([k]) => k.startsWith('py/'));
  const state = value.entries.filter(([k]) => !k.startsWith('py/'));
  return new PyObj([...meta, ['py/state', new PyObj(state)]]);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The run's former roots: the two production layouts with this run id, and a recorded `wd` that is not here. */
export function staleRoots(target: RunDirTarget, value: PyValue): RegExp[] {
  const runId = escapeRe(runIdOf(target));
  const here = resolve(target.dir);
  const roots = [
    new RegExp(`^/geodata/wc1/runs/[^/]{1,2}/${runId}(?=/|$)`),
    new RegExp(`^/geodata/weppcloud_runs/${runId}(?=/|$)`),
  ];
  const state =
    value instanceof PyObj ? (value.get('py/state') instanceof PyObj ? (value.get('py/state') as PyObj) : value) : null;
  const wd = state?.get('wd');
  if (typeof wd === 'string' && wd.startsWith('/') && wd.replace(/\/+$/, '') !== here)
    roots.push(new RegExp(`^${escapeRe(wd.replace(/\/+$/, ''))}(?=/|$)`));
  return roots;
}

export function rewritePath(s: string, roots: readonly RegExp[], here: string): string {
  if (s.startsWith(here) && (s.length === here.length || s[here.length] === '/')) return s;
  for (const re of roots) if (re.test(s)) return s.replace(re, here);
  return s;
}

export function countStale(value: PyValue, roots: readonly RegExp[], here: string): number {
  let n = 0;
  const walk = (v: PyValue): void => {
    if (typeof v === 'string') {
      if (rewritePath(v, roots, here) !== v) n++;
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v instanceof PyObj) v.entries.forEach(([, x]) => walk(x));
  };
  walk(value);
  return n;
}

export async function findStalePaths(target: RunDirTarget): Promise<{ file: string; count: number }[]> {
  const here = resolve(target.dir);
  const found = [];
  for (const file of await nodbFiles(target)) {
    const { value } = await readPyJsonFile(target, file);
    const count = countStale(value, staleRoots(target, value), here);
    if (count > 0) found.push({ file, count });
  }
  return found;
}

export async function findFlatJsonpickle(target: RunDirTarget): Promise<string[]> {
  const found = [];
  for (const file of await nodbFiles(target))
    if (isFlatJsonpickle((await readPyJsonFile(target, file)).value)) found.push(file);
  return found;
}

export const nodbStalePathsTrait = defineTrait<RunDirTarget>({
  id: 'nodb-stale-paths',
  title: '.nodb files with absolute paths of a former run location',
  fixes: ['001_nodb_run_paths'],
  async detect(target) {
    const found = await findStalePaths(target);
    return found.length === 0
      ? null
      : { summary: found.map((f) => `${f.file}: ${f.count} stale path(s)`).join('; '), details: { files: found } };
  },
});

export const jsonpickleFlatTrait = defineTrait<RunDirTarget>({
  id: 'jsonpickle-flat',
  title: '.nodb files in the old flat jsonpickle form (no "py/state")',
  fixes: ['002_nodb_jsonpickle_nested'],
  async detect(target) {
    const files = await findFlatJsonpickle(target);
    return files.length === 0 ? null : { summary: `flat jsonpickle: ${files.join(', ')}`, details: { files } };
  },
});
