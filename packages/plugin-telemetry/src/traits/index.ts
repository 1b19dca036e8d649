// Legacy shapes: CSV files not in the database yet, and a config.json whose content has no profile row.
import { defineTrait, type Trait } from '@tidemark/core';
import { readConfigFile } from '../config-import.js';
import { tableExists } from '../db-state.js';
import { pendingLogFiles } from '../pending-files.js';
import { TABLES } from '../schema.js';
import type { TelemetryTarget } from '../target.js';
import type { Knex } from 'knex';

/**
 * The step's own `closedAfterMs`: a file the step would ingest as closed is pending here too (else 003 is baselined).
 */
export function uningestedCsvTrait(options: { closedAfterMs?: number } = {}): Trait<TelemetryTarget> {
  return defineTrait<TelemetryTarget>({
    id: 'csv-not-ingested',
    title: 'CSV telemetry files under logs/ whose content is not in run_samples',
    fixes: ['003_ingest_logs'],
    async detect(target) {
      return pendingLogFiles(
        target,
        options.closedAfterMs === undefined ? {} : { closedAfterMs: options.closedAfterMs },
      );
    },
  });
}

export const configNotProfiledTrait: Trait<TelemetryTarget> = defineTrait<TelemetryTarget>({
  id: 'config-not-profiled',
  title: 'config.json whose content has no config_profiles version',
  fixes: ['002_config_profiles'],
  async detect(target) {
    const file = await readConfigFile(target.configPath);
    if (!file) return null;
    if (await profileRecorded(target.knex, file.profileName, file.hash)) return null;
    return {
      summary: `config.json profile "${file.profileName}" (hash ${file.hash.slice(0, 12)}) not recorded`,
      details: { profile: file.profileName, hash: file.hash },
    };
  },
});

/** One statement at a start: no config_profiles table yet (undefined_table) is "not recorded". */
async function profileRecorded(knex: Knex, profileName: string, hash: string): Promise<boolean> {
  const ask = () => knex(TABLES.configProfiles).where({ profile_name: profileName, content_hash: hash }).first('id');
  // Inside a transaction a failed statement would abort it: there the table is looked up first.
  if (knex.isTransaction) return (await tableExists(knex, TABLES.configProfiles)) && (await ask()) !== undefined;
  try {
    return (await ask()) !== undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') return false;
    throw error;
  }
}
