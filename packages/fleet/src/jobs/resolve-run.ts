// Finding a run's folder from its id under a root, in the real layouts: `<root>/<prefix>/<runid>` with a
// one- or two-character prefix, then the older `<root>/<runid>`; a child `<runid>/_pups/<path>` lies at that
// path inside its top-level run's folder.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertFleetRunId, assertRunId, familyOf, isChildRunId } from '../runs/run-ids.js';

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** The standard place of a new run under root: `<root>/<first two chars>/<runid>`. */
export function standardRunDir(root: string, runId: string): string {
  assertRunId(runId);
  return join(resolve(root), runId.slice(0, 2), runId);
}

/** A top-level run's folder (run-sync and the run source serve top-level runs only). */
export async function resolveRunDir(root: string, runId: string): Promise<string | null> {
  assertRunId(runId);
  for (const candidate of [
    join(root, runId.slice(0, 2), runId),
    join(root, runId.slice(0, 1), runId),
    join(root, runId),
  ]) {
    if (await isDir(candidate)) return resolve(candidate);
  }
  return null;
}

/** The folder of a top-level run or of a `<runid>/_pups/<path>` child. */
export async function resolveFleetRunDir(root: string, runId: string): Promise<string | null> {
  assertFleetRunId(runId);
  if (!isChildRunId(runId)) return resolveRunDir(root, runId);
  const top = await resolveRunDir(root, familyOf(runId));
  if (!top) return null;
  // Each segment was checked (no `..`, no separators), so the join stays inside the top-level run.
  const dir = join(top, ...runId.split('/').slice(1));
  return (await isDir(dir)) ? dir : null;
}
