// "Profile activated on hardware" (seed: config_applied_events: profile_id, applied_by, applied_at) for the
// app to call whenever it applies a configuration: the profile is recorded as a config_profiles version
// (a new one only when its canonical content is new) and an applied event is always added — applying the
// same profile again is a new event.
import { TidemarkError, sha256 } from '@tidemark/core';
import type { Knex } from 'knex';
import { canonicalJson } from './config-import.js';
import { PLUGIN_NAME } from './options.js';
import { TABLES } from './schema.js';

export type AppliedProfile = { id: number } | { name: string; config: unknown };

export interface ProfileApplied {
  profileId: number;
  profileName: string;
  version: number;
  /** A new config_profiles version was recorded for this content. */
  created: boolean;
  eventId: number;
  appliedAt: Date;
}

export async function recordProfileApplied(
  knex: Knex,
  profile: AppliedProfile,
  by: string,
  options: { at?: Date; note?: string } = {},
): Promise<ProfileApplied> {
  const fail = (message: string) =>
    new TidemarkError('STEP_FAILED', `recordProfileApplied: ${message}`, { plugin: PLUGIN_NAME });
  if (typeof by !== 'string' || by.trim() === '')
    throw fail('`by` (who applied the profile) must be a non-empty string');
  return knex.transaction(async (trx) => {
    let row: { id: number; profile_name: string; version: number } | undefined;
    let created = false;
    if ('id' in profile) {
      row = await trx(TABLES.configProfiles).where({ id: profile.id }).first('id', 'profile_name', 'version');
      if (!row) throw fail(`no config_profiles row with id ${profile.id}`);
    } else {
      if (typeof profile.name !== 'string' || profile.name.trim() === '')
        throw fail('profile name must be a non-empty string');
      const hash = sha256(canonicalJson(profile.config));
      // The same lock as the import: two writers must not both take version n+1.
      await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`tidemark:config_profiles:${profile.name}`]);
      row = await trx(TABLES.configProfiles)
        .where({ profile_name: profile.name, content_hash: hash })
        .first('id', 'profile_name', 'version');
      if (!row) {
        const max = await trx(TABLES.configProfiles)
          .where({ profile_name: profile.name })
          .max<{ v: number | null }>('version as v')
          .first();
        const version = (max?.v ?? 0) + 1;
        const [inserted] = await trx(TABLES.configProfiles)
          .insert({
            profile_name: profile.name,
            version,
            content_hash: hash,
            config: JSON.stringify(profile.config),
            source: 'app',
          })
          .returning<{ id: number }[]>('id');
        row = { id: inserted!.id, profile_name: profile.name, version };
        created = true;
      }
    }
    const appliedAt = options.at ?? new Date();
    const [event] = await trx(TABLES.configAppliedEvents)
      .insert({ profile_id: row.id, applied_by: by, applied_at: appliedAt, note: options.note ?? null })
      .returning<{ id: number }[]>('id');
    return {
      profileId: row.id,
      profileName: row.profile_name,
      version: row.version,
      created,
      eventId: Number(event!.id),
      appliedAt,
    };
  });
}
