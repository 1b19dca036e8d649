// config.json -> config_profiles (JSONB, versioned by content hash) + the config_applied_events row saying
// this profile is the one in use. down removes what the import recorded; profiles the app wrote stay.
import { defineMigration } from '@tidemark/core';
import { IMPORT_APPLIER, readConfigFile, recordProfile } from '../config-import.js';
import { tableExists } from '../db-state.js';
import { TABLES } from '../schema.js';
import type { TelemetryTarget } from '../target.js';
import { db } from '../guards/step-transaction.js';

export const configProfilesMigration = defineMigration<TelemetryTarget>({
  id: '002_config_profiles',
  title: 'Import config.json into config_profiles and record it as applied',
  requires: ['001_schema'],
  async up(ctx) {
    const file = await readConfigFile(ctx.target.configPath);
    if (!file) {
      ctx.warn('no config.json found; nothing to import', { path: ctx.target.configPath });
      return;
    }
    const result = await recordProfile(db(ctx.target), file, ctx.target.configPath);
    ctx.log(`config profile "${file.profileName}" v${result.version} ${result.created ? 'recorded' : 'already recorded'}`, { ...result, hash: file.hash });
  },
  async down({ target }) {
    if (!(await tableExists(db(target), TABLES.configProfiles))) return;
    await db(target).transaction(async (trx) => {
      await trx(TABLES.configAppliedEvents).where({ applied_by: IMPORT_APPLIER }).delete();
      await trx(TABLES.configProfiles)
        .where({ source: 'import' })
        .whereNotExists(trx(TABLES.configAppliedEvents).whereRaw(`${TABLES.configAppliedEvents}.profile_id = ${TABLES.configProfiles}.id`))
        .delete();
    });
  },
  async validate({ target }) {
    const file = await readConfigFile(target.configPath);
    if (!file) return [];
    const row = await db(target)(TABLES.configProfiles).where({ profile_name: file.profileName, content_hash: file.hash }).first('id');
    return row ? [] : [{ message: `config.json (hash ${file.hash.slice(0, 12)}) has no config_profiles row`, where: target.configPath }];
  },
});
