// Legacy extruder folders for tests, demo and bench: config.json + logs/*.csv as DataLogger writes them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LOGGER_HEADER =
  'Timestamp,T1_Feed,T2_Mid,T3_Nozzle,T_Motor,Target_Z1,Target_Z2,Pwr_Z1_%,Pwr_Z2_%,RPM_Main,RPM_Feed';

export const SAMPLE_CONFIG = {
  profile_name: 'extruder-default',
  pid: { z1: { kp: 12.5, ki: 0.8, kd: 40 }, z2: { kp: 11, ki: 0.7, kd: 38 } },
  dm556: { microsteps: 1600, current_a: 2.8 },
  gpio: { heater_z1: 17, heater_z2: 27, fan: 22 },
  pwm: { channel_z1: 0, channel_z2: 1, frequency_hz: 10 },
  extruder: { sequencing: true, feed_ratio: 0.35 },
};

/** A well-formed logger row for sample i of a run starting at `start` (one sample per second). */
export function loggerRow(i: number, start = Date.UTC(2024, 4, 1, 8, 0, 0)): string {
  const ts = new Date(start + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
  const t = (base: number, k: number) => (base + ((i * k) % 97) / 10).toFixed(1);
  return `${ts},${t(180, 3)},${t(195, 5)},${t(210, 7)},${t(45, 11)},200.0,215.0,${t(40, 13)},${t(35, 17)},${t(30, 19)},${t(10, 23)}`;
}

export function loggerCsv(rows: number, start?: number): string {
  const lines = [LOGGER_HEADER];
  for (let i = 0; i < rows; i++) lines.push(loggerRow(i, start));
  return `${lines.join('\r\n')}\r\n`;
}

export async function writeLegacyFolder(
  root: string,
  files: Record<string, string>,
  config: unknown = SAMPLE_CONFIG,
): Promise<{ logsDir: string; configPath: string; backupDir: string }> {
  const logsDir = join(root, 'logs');
  const configPath = join(root, 'backend', 'config.json');
  const backupDir = join(root, 'backups');
  await mkdir(logsDir, { recursive: true });
  await mkdir(join(root, 'backend'), { recursive: true });
  if (config !== undefined) await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(logsDir, name, '..'), { recursive: true });
    await writeFile(join(logsDir, name), text);
  }
  return { logsDir, configPath, backupDir };
}
