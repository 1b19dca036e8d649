// Finding a run's folder from its id under a root, in the real layouts: `<root>/<prefix>/<runid>` with a
// one- or two-character prefix, then the older `<root>/<runid>`.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

export function assertRunId(runId: string): void {
  if (!/^[A-Za-z0-9][\w.-]{0,200}$/.test(runId) || runId.includes('..')) {
    throw new Error(`[tidemark] [fleet] "${runId}" is not a run id (letters, digits, _ . - only)`);
  }
}

/** The standard place of a new run under root: `<root>/<first two chars>/<runid>`. */
export function standardRunDir(root: string, runId: string): string {
  assertRunId(runId);
  return join(resolve(root), runId.slice(0, 2), runId);
}

export async function resolveRunDir(root: string, runId: string): Promise<string | null> {
  assertRunId(runId);
  for (const candidate of [join(root, runId.slice(0, 2), runId), join(root, runId.slice(0, 1), runId), join(root, runId)]) {
    if (await isDir(candidate)) return resolve(candidate);
  }
  return null;
}
