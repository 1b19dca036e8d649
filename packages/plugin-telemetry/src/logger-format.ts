// The columns DataLogger writes, in its order: the header a new TelemetryWriter file gets.
import type { MappedColumn } from './header-map.js';

export const LOGGER_COLUMNS: readonly { header: string; column: MappedColumn }[] = [
  { header: 'Timestamp', column: 'recorded_at' },
  { header: 'T1_Feed', column: 't1_feed' },
  { header: 'T2_Mid', column: 't2_mid' },
  { header: 'T3_Nozzle', column: 't3_nozzle' },
  { header: 'T_Motor', column: 't_motor' },
  { header: 'Target_Z1', column: 'target_z1' },
  { header: 'Target_Z2', column: 'target_z2' },
  { header: 'Pwr_Z1_%', column: 'pwr_z1_pct' },
  { header: 'Pwr_Z2_%', column: 'pwr_z2_pct' },
  { header: 'RPM_Main', column: 'rpm_main' },
  { header: 'RPM_Feed', column: 'rpm_feed' },
];
