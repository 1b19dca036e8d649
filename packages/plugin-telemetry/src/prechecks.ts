// The seed's runbook step 1 as a read-only check: reachable + supported version, free disk on the database
// and on the host (for the backups), WAL / archiving settings, and an ingest-time estimate from logs/ size.
// It never writes; a failed item stops the run before anything changes.
import { describeError } from '@tidemark/core';
import { access, constants, stat, statfs } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { readConfigFile } from './config-import.js';
import { listLogFiles } from './inventory.js';
import { pathProblems } from './paths-guard.js';
import { describeTarget, isPGliteKnex, type TelemetryTarget } from './target.js';

export interface PrecheckOptions {
  /** Lowest server_version_num accepted. Default 130000 (PostgreSQL 13). */
  minServerVersion?: number;
  /** Database bytes needed per CSV byte (heap + indexes). Default 3 (measured ~2.4 by the bench). */
  dbBytesPerCsvByte?: number;
  /** Fail (instead of warn) when WAL archiving is off, i.e. no point-in-time recovery. Default false. */
  requireArchiving?: boolean;
  /** Ingest throughput used for the time estimate, bytes/s. Default 40 MB/s (pg), 8 MB/s (PGlite). */
  throughputBytesPerSec?: number;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PrecheckItem {
  name: 'connectivity' | 'version' | 'inventory' | 'config' | 'host-disk' | 'db-disk' | 'wal' | 'estimate';
  status: CheckStatus;
  detail: string;
}

export interface PrecheckReport {
  ok: boolean;
  target: string;
  checkedAt: string;
  items: PrecheckItem[];
  inventory: { files: number; bytes: number; configBytes: number };
  server: { version: string | null; versionNum: number | null; databaseBytes: number | null; embedded: boolean };
  wal: Record<string, string>;
  estimate: { dbBytes: number; seconds: number };
}

export async function runPrechecks(target: TelemetryTarget, options: PrecheckOptions = {}): Promise<PrecheckReport> {
  const items: PrecheckItem[] = [];
  const embedded = isPGliteKnex(target.knex);
  const report: PrecheckReport = {
    ok: false,
    target: describeTarget(target),
    checkedAt: new Date().toISOString(),
    items,
    inventory: { files: 0, bytes: 0, configBytes: 0 },
    server: { version: null, versionNum: null, databaseBytes: null, embedded },
    wal: {},
    estimate: { dbBytes: 0, seconds: 0 },
  };
  const add = (name: PrecheckItem['name'], status: CheckStatus, detail: string) => items.push({ name, status, detail });

  // Inventory first: it costs nothing and the estimates need it.
  const problems = await pathProblems(target);
  if (problems.length > 0) add('inventory', 'fail', problems.join('; '));
  else {
    try {
      const files = await listLogFiles(target.logsDir);
      report.inventory.files = files.length;
      report.inventory.bytes = files.reduce((n, f) => n + f.bytes, 0);
      const unreadable: string[] = [];
      for (const f of files)
        await access(resolve(target.logsDir, f.file), constants.R_OK).catch(() => unreadable.push(f.file));
      report.inventory.configBytes = await stat(target.configPath).then(
        (s) => s.size,
        () => 0,
      );
      if (unreadable.length > 0)
        add('inventory', 'fail', `cannot read ${unreadable.length} CSV file(s): ${unreadable.slice(0, 5).join(', ')}`);
      else
        add(
          'inventory',
          files.length > 0 ? 'ok' : 'warn',
          `${files.length} CSV file(s), ${mb(report.inventory.bytes)} under ${target.logsDir}; config.json ${report.inventory.configBytes > 0 ? `${report.inventory.configBytes} B` : 'missing'}`,
        );
    } catch (error) {
      add('inventory', 'fail', `cannot list ${target.logsDir}: ${describeError(error)}`);
    }
  }
  // config.json must parse before anything is written: otherwise the schema would land and step 002 fail.
  try {
    const config = await readConfigFile(target.configPath);
    add(
      'config',
      config ? 'ok' : 'fail',
      config
        ? `config.json parses (profile "${config.profileName}")`
        : `configPath "${target.configPath}" does not exist`,
    );
  } catch (error) {
    add('config', 'fail', describeError(error));
  }
  const needDb = Math.ceil(report.inventory.bytes * (options.dbBytesPerCsvByte ?? 3));
  report.estimate.dbBytes = needDb;

  let reachable = false;
  try {
    const res = await target.knex.raw<{ rows: { version: string; num: string; size: string; db: string }[] }>(
      `SELECT version() AS version, current_setting('server_version_num') AS num, pg_database_size(current_database())::text AS size, current_database() AS db`,
    );
    const row = res.rows[0]!;
    reachable = true;
    report.server.version = row.version.split(' on ')[0] ?? row.version;
    report.server.versionNum = Number(row.num);
    report.server.databaseBytes = Number(row.size);
    add('connectivity', 'ok', `connected to ${report.target} (database "${row.db}", ${mb(Number(row.size))})`);
    const min = options.minServerVersion ?? 130000;
    add(
      'version',
      report.server.versionNum >= min ? 'ok' : 'fail',
      `${report.server.version}; supported from ${Math.floor(min / 10000)}`,
    );
  } catch (error) {
    add('connectivity', 'fail', `cannot reach the database ${report.target}: ${describeError(error)}`);
  }

  // Host disk: the tarball needs at most the raw size of config.json + logs/.
  const backupDir = resolve(target.backupDir);
  const logsDir = resolve(target.logsDir);
  if (backupDir === logsDir || backupDir.startsWith(logsDir + sep)) {
    add('host-disk', 'fail', `backupDir ${target.backupDir} is inside logsDir: the tarball would be ingested as logs`);
  } else {
    const free = await freeBytes(backupDir);
    const need = report.inventory.bytes + report.inventory.configBytes;
    if (free === null) add('host-disk', 'fail', `cannot measure free space for backups at ${target.backupDir}`);
    else
      add(
        'host-disk',
        free > need * 1.05 ? 'ok' : 'fail',
        `${mb(free)} free at ${target.backupDir}; backup needs at most ${mb(need)}`,
      );
  }

  if (reachable) {
    await dbDisk(target, report, needDb, add);
    await walSettings(target, report, options, add);
  }
  const throughput = options.throughputBytesPerSec ?? (embedded ? 8e6 : 40e6);
  report.estimate.seconds = Math.round((report.inventory.bytes / throughput) * 10) / 10;
  add(
    'estimate',
    'ok',
    `about ${report.estimate.seconds} s to ingest ${mb(report.inventory.bytes)} at ${mb(throughput)}/s; database grows by about ${mb(needDb)}`,
  );
  report.ok = items.every((i) => i.status !== 'fail');
  return report;
}

async function dbDisk(
  target: TelemetryTarget,
  report: PrecheckReport,
  needDb: number,
  add: (n: PrecheckItem['name'], s: CheckStatus, d: string) => void,
): Promise<void> {
  const embedded = report.server.embedded;
  let dir: string | null = null;
  if (embedded) {
    const dataDir = (target.knex.client as { pglite?: { dataDir?: string } }).pglite?.dataDir;
    if (!dataDir || dataDir.startsWith('memory://')) {
      add('db-disk', 'warn', `embedded in-memory database: needs about ${mb(needDb)} of RAM`);
      return;
    }
    dir = dataDir.replace(/^file:\/\//, '');
  } else {
    try {
      const res = await target.knex.raw<{ rows: { location: string | null; data: string | null }[] }>(
        `SELECT pg_tablespace_location(d.dattablespace) AS location, (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data
           FROM pg_database d WHERE d.datname = current_database()`,
      );
      const row = res.rows[0];
      const local = isLocalHost(target);
      const path = row?.location || row?.data || null;
      if (path && local) dir = path;
      else {
        add(
          'db-disk',
          'warn',
          `free space on the database server cannot be measured from here${local ? ' (data_directory not visible: not a superuser)' : ' (remote server)'}; make sure about ${mb(needDb)} are free`,
        );
        return;
      }
    } catch (error) {
      add(
        'db-disk',
        'warn',
        `cannot read the tablespace location: ${describeError(error)}; make sure about ${mb(needDb)} are free`,
      );
      return;
    }
  }
  const free = await freeBytes(dir);
  if (free === null)
    add('db-disk', 'warn', `cannot measure free space at ${dir}; make sure about ${mb(needDb)} are free`);
  else
    add(
      'db-disk',
      free > needDb * 1.2 ? 'ok' : 'fail',
      `${mb(free)} free on the database volume (${dir}); ingestion needs about ${mb(needDb)} (+20% margin)`,
    );
}

async function walSettings(
  target: TelemetryTarget,
  report: PrecheckReport,
  options: PrecheckOptions,
  add: (n: PrecheckItem['name'], s: CheckStatus, d: string) => void,
): Promise<void> {
  const names = ['wal_level', 'archive_mode', 'archive_command', 'max_wal_size', 'wal_keep_size', 'fsync'];
  const res = await target.knex.raw<{ rows: { name: string; setting: string; unit: string | null }[] }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name = ANY(?)`,
    [names],
  );
  for (const r of res.rows) report.wal[r.name] = r.unit ? `${r.setting} ${r.unit}` : r.setting;
  const archiving = report.wal.archive_mode === 'on' || report.wal.archive_mode === 'always';
  const summary = `wal_level=${report.wal.wal_level ?? '?'}, archive_mode=${report.wal.archive_mode ?? '?'}, max_wal_size=${report.wal.max_wal_size ?? '?'}`;
  if (archiving) add('wal', 'ok', `${summary}: WAL archiving on (point-in-time recovery possible)`);
  else
    add(
      'wal',
      options.requireArchiving ? 'fail' : 'warn',
      `${summary}: WAL archiving off, no point-in-time recovery; rollback relies on the down migrations and the tarball`,
    );
}

function isLocalHost(target: TelemetryTarget): boolean {
  const s = (target.knex.client as { connectionSettings?: { host?: string; connectionString?: string } | string })
    .connectionSettings;
  let host: string | undefined;
  if (typeof s === 'string') host = safeHost(s);
  else if (s?.connectionString) host = safeHost(s.connectionString);
  else host = s?.host;
  return !host || host === 'localhost' || host.startsWith('127.') || host === '::1' || host.startsWith('/');
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

async function freeBytes(path: string): Promise<number | null> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const s = await statfs(dir);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(dir) === dir) return null;
    }
  }
}

export function mb(bytes: number): string {
  return bytes >= 1e9
    ? `${(bytes / 1e9).toFixed(2)} GB`
    : bytes >= 1e6
      ? `${(bytes / 1e6).toFixed(1)} MB`
      : `${(bytes / 1e3).toFixed(1)} kB`;
}
