// The target: the caller's knex instance (pg, or knex-pglite for the embedded default) plus the folders the
// extruder app writes. Knex because the seed asks for knex migrations; raw COPY goes through the connection
// knex hands out, so the caller keeps one pool and one configuration.
import type { Knex } from 'knex';
import { redact } from '@tidemark/core';

export interface TelemetryTarget {
  /** The caller's knex instance: `client: 'pg'` (real PostgreSQL) or the knex-pglite client (embedded). */
  knex: Knex;
  /** Folder holding the logger's CSV files (searched recursively for `*.csv`). */
  logsDir: string;
  /** The Flask app's `config.json`. */
  configPath: string;
  /** Where timestamped backup tarballs go (must be outside `logsDir`). */
  backupDir: string;
  /** A label for messages; default derived from the knex connection (password redacted). */
  label?: string;
}

export function describeTarget(target: TelemetryTarget): string {
  if (target.label) return redact(target.label);
  const settings = (target.knex.client as { connectionSettings?: unknown }).connectionSettings;
  if (isPGliteKnex(target.knex)) return `pglite:${target.logsDir}`;
  if (typeof settings === 'string') return redact(settings);
  if (settings && typeof settings === 'object') {
    const s = settings as { host?: string; port?: number; database?: string; connectionString?: string };
    if (s.connectionString) return redact(s.connectionString);
    return `postgres://${s.host ?? 'localhost'}:${s.port ?? 5432}/${s.database ?? ''}`;
  }
  return `postgres:${target.logsDir}`;
}

export function isPGliteKnex(knex: Knex): boolean {
  const client = knex.client as { pglite?: unknown; dialect?: string; config?: { client?: unknown } };
  const c = client.config?.client;
  return client.pglite !== undefined || (typeof c === 'function' && /pglite/i.test(c.name));
}
