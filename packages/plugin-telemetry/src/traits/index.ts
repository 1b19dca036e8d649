// Legacy shapes: CSV files not in the database yet, and a config.json whose content has no profile row.
import { defineTrait, type Trait } from '@tidemark/core';
import { readConfigFile } from '../config-import.js';
import { tableExists } from '../db-state.js';
import { pendingLogFiles } from '../pending-files.js';
import { TABLES } from '../schema.js';
import type { TelemetryTarget } from '../target.js';

/** The step's own `closedAfterMs`: a file the step would ingest as closed is pending here too (else 003 is baselined). */
export function uningestedCsvTrait(options: { closedAfterMs?: number } = {}): Trait<TelemetryTarget> {
  return defineTrait<TelemetryTarget>({
    id: 'csv-not-ingested',
    title: 'CSV telemetry files under logs/ whose content is not in run_samples',
    fixes: ['003_ingest_logs'],
    async detect(target) {
      return pendingLogFiles(target, options.closedAfterMs === undefined ? {} : { closedAfterMs: options.closedAfterMs });
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
    if (await tableExists(target.knex, TABLES.configProfiles)) {
      const row = await target.knex(TABLES.configProfiles).where({ profile_name: file.profileName, content_hash: file.hash }).first('id');
      if (row) return null;
    }
    return { summary: `config.json profile "${file.profileName}" (hash ${file.hash.slice(0, 12)}) not recorded`, details: { profile: file.profileName, hash: file.hash } };
  },
});
