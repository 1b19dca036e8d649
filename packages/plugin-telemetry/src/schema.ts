// Table and column names in one place: the seed's target schema plus the tables this plugin needs.
export const TABLES = {
  configProfiles: 'config_profiles',
  configAppliedEvents: 'config_applied_events',
  runs: 'runs',
  runSamples: 'run_samples',
  loggerEvents: 'logger_events',
  ingestedFiles: 'ingested_files',
  rejectedRows: 'rejected_rows',
} as const;

/** run_samples value columns, in the logger's header order. All nullable double precision. */
export const SAMPLE_COLUMNS = [
  't1_feed',
  't2_mid',
  't3_nozzle',
  't_motor',
  'target_z1',
  'target_z2',
  'pwr_z1_pct',
  'pwr_z2_pct',
  'rpm_main',
  'rpm_feed',
] as const;

export type SampleColumn = (typeof SAMPLE_COLUMNS)[number];

/** The columns a COPY into run_samples fills, in order. */
export const COPY_COLUMNS = ['run_id', 'line_no', 'recorded_at', ...SAMPLE_COLUMNS] as const;

/** Creation order; drop in reverse. */
export const CREATION_ORDER = [
  TABLES.configProfiles,
  TABLES.configAppliedEvents,
  TABLES.runs,
  TABLES.runSamples,
  TABLES.loggerEvents,
  TABLES.ingestedFiles,
  TABLES.rejectedRows,
] as const;
