// config.json -> config_profiles. A profile's version is its content: the JSON is canonicalized (keys sorted,
// whitespace dropped) and hashed, so re-saving the same settings is not a new version.
import { TidemarkError, sha256 } from '@tidemark/core';
import type { Knex } from 'knex';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TABLES } from './schema.js';

export interface ConfigFile {
  profileName: string;
  hash: string;
  config: unknown;
  mtime: Date;
}

export const IMPORT_APPLIER = 'tidemark-import';

export async function readConfigFile(configPath: string): Promise<ConfigFile | null> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new TidemarkError('STEP_FAILED', `file "${configPath}" is not valid JSON; it was left as it is`, {
      plugin: 'plugin-telemetry',
      cause: error,
    });
  }
  const named =
    config && typeof config === 'object' && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
  const name = [named.profile_name, named.profile, named.name].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  return {
    profileName: name ?? basename(configPath, extname(configPath)),
    hash: sha256(canonicalJson(config)),
    config,
    mtime: (await stat(configPath)).mtime,
  };
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface ProfileResult {
  profileId: number;
  version: number;
  created: boolean;
  applied: boolean;
}

/** Records the profile (new version if its content is new) and an applied event if it is not already the active one. */
export async function recordProfile(
  knex: Knex,
  file: ConfigFile,
  sourcePath: string,
  appliedBy = IMPORT_APPLIER,
  appliedAt: Date = file.mtime,
): Promise<ProfileResult> {
  return knex.transaction(async (trx) => {
    // Serialize versioning per profile name (two importers must not both take version n+1).
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`tidemark:config_profiles:${file.profileName}`]);
    const existing = await trx(TABLES.configProfiles)
      .where({ profile_name: file.profileName, content_hash: file.hash })
      .first<{ id: number; version: number } | undefined>('id', 'version');
    let profileId: number;
    let version: number;
    let created = false;
    if (existing) {
      profileId = existing.id;
      version = existing.version;
    } else {
      const max = await trx(TABLES.configProfiles)
        .where({ profile_name: file.profileName })
        .max<{ v: number | null }>('version as v')
        .first();
      version = (max?.v ?? 0) + 1;
      const [row] = await trx(TABLES.configProfiles)
        .insert({
          profile_name: file.profileName,
          version,
          content_hash: file.hash,
          config: JSON.stringify(file.config),
          source: 'import',
          source_path: sourcePath,
        })
        .returning<{ id: number }[]>('id');
      profileId = row!.id;
      created = true;
    }
    const last = await trx(TABLES.configAppliedEvents)
      .join(TABLES.configProfiles, `${TABLES.configProfiles}.id`, `${TABLES.configAppliedEvents}.profile_id`)
      .where(`${TABLES.configProfiles}.profile_name`, file.profileName)
      .orderBy(`${TABLES.configAppliedEvents}.id`, 'desc')
      .first<{ profile_id: number } | undefined>(`${TABLES.configAppliedEvents}.profile_id`);
    let applied = false;
    if (last?.profile_id !== profileId) {
      await trx(TABLES.configAppliedEvents).insert({
        profile_id: profileId,
        applied_by: appliedBy,
        applied_at: appliedAt,
        note: `${basename(sourcePath)} in use`,
      });
      applied = true;
    }
    return { profileId, version, created, applied };
  });
}
