// Finding runs under a root, in every layout the real trees use: `<root>/<prefix>/<runid>/` (prefix = the
// first one or two characters of the id), older `<root>/<runid>/`, and child runs under `<run>/_pups/...`.
// A folder is a run when it holds a `.nodb` file or a `nodb.version` marker.
import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

export interface DiscoveredRun {
  dir: string;
  runId: string;
  /** `<runid>` or `<runid>/_pups/...` for a child. */
  name: string;
  layout: 'prefixed' | 'flat' | 'pup';
  /** For a pup: the top-level run's dir. Pups are migrated after their parent, in the same worker. */
  parent?: string;
}

export interface DiscoverOptions {
  /** Only runs whose name contains this substring (the real tools' --contains). */
  contains?: string;
  /** At most this many top-level runs (the real tools' --limit). */
  limit?: number;
}

async function dirents(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export async function isRunDir(dir: string): Promise<boolean> {
  return (await dirents(dir)).some((e) => e.isFile() && (e.name.endsWith('.nodb') || e.name === 'nodb.version'));
}

async function findPups(run: string, dir: string, depth: number, out: DiscoveredRun[]): Promise<void> {
  if (depth > 5) return;
  for (const e of await dirents(dir)) {
    if (!e.isDirectory()) continue;
    const child = join(dir, e.name);
    if (await isRunDir(child)) {
      out.push({
        dir: child,
        runId: e.name,
        name: `${basename(run)}/${relative(run, child)}`,
        layout: 'pup',
        parent: run,
      });
    }
    await findPups(run, child, depth + 1, out);
  }
}

/** Top-level runs in sorted order, each followed by its `_pups` children. */
export async function discoverRuns(root: string, options: DiscoverOptions = {}): Promise<DiscoveredRun[]> {
  const tops: DiscoveredRun[] = [];
  for (const e of (await dirents(root)).filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(root, e.name);
    if (await isRunDir(dir)) {
      tops.push({ dir, runId: e.name, name: e.name, layout: 'flat' });
      continue;
    }
    if (e.name.length > 2) continue;
    for (const r of (await dirents(dir)).filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const runDir = join(dir, r.name);
      if (await isRunDir(runDir)) tops.push({ dir: runDir, runId: r.name, name: r.name, layout: 'prefixed' });
    }
  }
  const out: DiscoveredRun[] = [];
  let taken = 0;
  for (const top of tops) {
    const family = [top];
    await findPups(top.dir, join(top.dir, '_pups'), 0, family);
    const wanted = options.contains ? family.filter((r) => r.name.includes(options.contains!)) : family;
    if (wanted.length === 0) continue;
    if (options.limit !== undefined && taken >= options.limit) break;
    taken++;
    out.push(...wanted);
  }
  return out;
}

/** Groups a discovery into jobs: a top-level run with its pups (so they never run concurrently). */
export function groupFamilies(runs: readonly DiscoveredRun[]): DiscoveredRun[][] {
  const groups = new Map<string, DiscoveredRun[]>();
  for (const r of runs) {
    const key = r.parent ?? r.dir;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}
