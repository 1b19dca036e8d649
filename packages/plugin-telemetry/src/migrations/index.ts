// The shipped migrations, in order. A function of the plugin options: 003's ingest reads the timezone,
// header aliases and commit mode from them.
import type { Migration } from '@tidemark/core';
import type { TelemetryPluginOptions } from '../options.js';
import type { TelemetryTarget } from '../target.js';
import { schemaMigration } from './001_schema.js';
import { configProfilesMigration } from './002_config_profiles.js';
import { ingestLogsMigration } from './003_ingest_logs.js';

export function migrations(options: TelemetryPluginOptions = {}): Migration<TelemetryTarget>[] {
  return [schemaMigration, configProfilesMigration, ingestLogsMigration(options)];
}
