// What the fleet knows about one run: read from disk (version, config, archives, READONLY) and completed by
// jobs (traits detected, last status). Kept in one Redis hash so every dashboard and worker shares it.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isReadonlyRun,
  readProvenance,
  readRunConfig,
  readVersion,
  type RunDirTarget,
} from '@tidemark/plugin-run-dirs';

export interface FleetRunState {
  runId: string;
  dir: string;
  config: string;
  version: number | null;
  readonly: boolean;
  /** Trait ids found by the last migration/validate job (null: never scanned). */
  traits: string[] | null;
  /** Migrations still to apply after the last scan. */
  pending?: string[];
  /** From the run's `.provenance.json` (what the registry row holds): where it was synced from, and its owner. */
  sourceHost?: string | null;
  owner?: string | null;
  /** Archive file names in `archives/`, newest first. */
  archives: string[];
  /** `migrated`, `unchanged`, `failed:NODB_LOCKED`, `restored`, `synced`, `validated`, `queued`, `running`... */
  lastStatus: string | null;
  lastEvent?: string;
  lastJob?: string;
  lastError?: string;
  updatedAt: string;
}

const ARCHIVE_TS = /\.(\d{8}T\d{6}Z)\.zip$/;

/** Zip archives of the run, newest first (by the timestamp in the real naming scheme, then mtime). */
export async function listArchives(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(join(dir, 'archives'))).filter((n) => n.endsWith('.zip'));
  } catch {
    return [];
  }
  const withTime = await Promise.all(
    names.map(async (name) => ({
      name,
      ts: ARCHIVE_TS.exec(name)?.[1] ?? '',
      mtime: (await stat(join(dir, 'archives', name)).catch(() => null))?.mtimeMs ?? 0,
    })),
  );
  return withTime
    .sort((a, b) => b.ts.localeCompare(a.ts) || b.mtime - a.mtime || b.name.localeCompare(a.name))
    .map((a) => a.name);
}

/** The disk half of a run's state; `previous` supplies what only jobs know (traits, last status). */
export async function readRunState(
  target: RunDirTarget & { runId: string },
  previous?: Partial<FleetRunState>,
): Promise<FleetRunState> {
  const [version, config, readonly, archives, provenance] = await Promise.all([
    readVersion(target).catch(() => null),
    readRunConfig(target),
    isReadonlyRun(target.dir).catch(() => false),
    listArchives(target.dir),
    readProvenance(target).catch(() => null),
  ]);
  return {
    traits: null,
    lastStatus: null,
    ...previous,
    runId: target.runId,
    dir: target.dir,
    config: config ?? previous?.config ?? '',
    version,
    readonly,
    archives,
    sourceHost: provenance?.source_host ?? null,
    owner: provenance?.owner_email ?? null,
    updatedAt: new Date().toISOString(),
  };
}
