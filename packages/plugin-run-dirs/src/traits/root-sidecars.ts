// Trait: parquet sidecars in the run root from older layouts (`landuse.parquet`, `soils.parquet`,
// `climate.<name>.parquet`, `watershed.<name>.parquet`) that today live in their controller's folder.
import { defineTrait } from '@tidemark/core';
import { listFiles } from '../run-files.js';
import type { RunDirTarget } from '../target.js';

export interface SidecarMove {
  from: string;
  to: string;
}

export function sidecarDestination(name: string): string | null {
  if (name === 'landuse.parquet') return 'landuse/landuse.parquet';
  if (name === 'soils.parquet') return 'soils/soils.parquet';
  const m = /^(climate|watershed)\.(.+\.parquet)$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : null;
}

export async function findRootSidecars(target: RunDirTarget): Promise<SidecarMove[]> {
  return (await listFiles(target)).flatMap((name) => {
    const to = sidecarDestination(name);
    return to ? [{ from: name, to }] : [];
  });
}

export const rootSidecarsTrait = defineTrait<RunDirTarget>({
  id: 'root-sidecars',
  title: 'Parquet sidecars in the run root instead of their folders',
  fixes: ['003_root_sidecars'],
  async detect(target) {
    const moves = await findRootSidecars(target);
    if (moves.length === 0) return null;
    return { summary: moves.map((m) => `${m.from} -> ${m.to}`).join(', '), details: { moves } };
  },
});
