// The seed's runbook step 2: a timestamped tarball of config.json and logs/ before anything is ingested.
// Debian's GNU tar does the work (streaming, no archive in memory); the result is listed and checked.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { listLogFiles } from './inventory.js';
import type { TelemetryTarget } from './target.js';

const run = promisify(execFile);
export const BACKUP_PREFIX = 'telemetry-backup-';

export interface BackupInfo {
  path: string;
  bytes: number;
  sha256: string;
  /** Files in the archive (directories excluded). */
  entries: string[];
  createdAt: string;
}

export async function createBackup(target: TelemetryTarget, now = new Date()): Promise<BackupInfo> {
  await mkdir(target.backupDir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '');
  const path = resolve(target.backupDir, `${BACKUP_PREFIX}${stamp}.tar.gz`);
  const args = ['-czf', path];
  const config = resolve(target.configPath);
  if (
    await stat(config).then(
      () => true,
      () => false,
    )
  )
    args.push('-C', dirname(config), basename(config));
  const logs = resolve(target.logsDir);
  if (
    await stat(logs).then(
      () => true,
      () => false,
    )
  )
    args.push('--transform', `s,^${escapeSed(basename(logs))},logs,`, '-C', dirname(logs), basename(logs));
  await run('tar', args);
  return inspectBackup(path);
}

export async function inspectBackup(path: string): Promise<BackupInfo> {
  const { stdout } = await run('tar', ['-tzf', path], { maxBuffer: 64 * 1024 * 1024 });
  const entries = stdout.split('\n').filter((l) => l && !l.endsWith('/'));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const s = await stat(path);
  return { path, bytes: s.size, sha256: hash.digest('hex'), entries, createdAt: s.mtime.toISOString() };
}

/** The newest backup in backupDir, checked against what is on disk now. */
export async function latestBackup(target: TelemetryTarget): Promise<{ backup: BackupInfo; missing: string[] } | null> {
  const names = await readdir(target.backupDir).catch(() => [] as string[]);
  const latest = names
    .filter((n) => n.startsWith(BACKUP_PREFIX) && n.endsWith('.tar.gz'))
    .sort()
    .at(-1);
  if (!latest) return null;
  const backup = await inspectBackup(join(target.backupDir, latest));
  const have = new Set(backup.entries);
  const missing = (await listLogFiles(target.logsDir)).map((f) => `logs/${f.file}`).filter((e) => !have.has(e));
  return { backup, missing };
}

function escapeSed(text: string): string {
  return text.replace(/[\\,.*[\]^$]/g, '\\$&');
}
