// The fleet's names for runs. A top-level run is its run id (`rlew-abc`); a child run under `_pups/` is
// `<top-level run id>/_pups/<path below _pups>` (`rlew-abc/_pups/omni/scenarios/burned`), the name
// plugin-run-dirs' discoverRuns gives it. The name keys the run's job (deduplication), channel
// (`<name>:migration`), index row and registry row, so it must be a safe Redis key and channel name: only
// letters, digits, `_ . -` and `/` between segments; no whitespace, glob characters or `:`.
import { createError } from '@tidemark/core';
import { basename, relative, resolve, sep } from 'node:path';
import { isRunDir } from '@tidemark/plugin-run-dirs';

const TOP = /^[A-Za-z0-9][\w.-]{0,200}$/;
const SEGMENT = /^\w[\w.-]{0,200}$/;
/** The registry's `runid` column is varchar(255). */
const MAX_LENGTH = 255;
export const PUPS_DIR = '_pups';

export function assertRunId(runId: string): void {
  if (!TOP.test(runId) || runId.includes('..')) {
    throw createError('fleet', `"${runId}" is not a run id (letters, digits, _ . - only)`);
  }
}

export function isChildRunId(runId: string): boolean {
  return runId.includes('/');
}

/** A top-level run id, or a child's `<runid>/_pups/<segment>/...` (each segment letters, digits, _ . -). */
export function assertFleetRunId(runId: string): void {
  if (!isChildRunId(runId)) return assertRunId(runId);
  const [top, pups, ...rest] = runId.split('/');
  const ok =
    runId.length <= MAX_LENGTH &&
    TOP.test(top!) &&
    !top!.includes('..') &&
    pups === PUPS_DIR &&
    rest.length > 0 &&
    rest.every((s) => SEGMENT.test(s));
  if (!ok) {
    throw createError(
      'fleet',
      `"${runId}" is not a run id (a run id, or <runid>/_pups/<path> for a child run: letters, digits, _ . - in each part, at most ${MAX_LENGTH} characters)`,
    );
  }
}

/**
 * The top-level run a run belongs to. Its tree is one family: the plugin's `.nodb` locks of a top-level run
 * cover its `_pups`, and its archive holds them, so the fleet never works on two members at once.
 */
export function familyOf(runId: string): string {
  return runId.split('/')[0]!;
}

/** Every name that could be a run enclosing this one (`a`, `a/_pups`, `a/_pups/omni`, ...), outermost first. */
export function enclosingRunIds(runId: string): string[] {
  const parts = runId.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * The fleet name of a run folder: its folder name for a top-level run; for a folder below a `_pups`
 * segment of an enclosing run folder, `<that run's folder name>/<path from it>` (the outermost such run).
 */
export async function fleetRunIdOf(dir: string): Promise<string> {
  const abs = resolve(dir);
  const parts = abs.split(sep);
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] !== PUPS_DIR) continue;
    const top = parts.slice(0, i).join(sep) || sep;
    if (!(await isRunDir(top))) continue;
    const runId = `${basename(top)}/${relative(top, abs).split(sep).join('/')}`;
    assertFleetRunId(runId);
    return runId;
  }
  const runId = basename(abs);
  assertRunId(runId);
  return runId;
}
