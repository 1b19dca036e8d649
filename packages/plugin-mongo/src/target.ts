// What a migration acts on: the caller's own mongoose connection or mongodb Db (kysely style: we never open
// or close it). Only types are imported here, so neither driver is loaded unless the caller loaded it.
import type { Db } from 'mongodb';
import { redact, TidemarkError } from '@tidemark/core';

/** The parts of a mongoose Connection we use; a mongoose 8/9 Connection satisfies it. */
export interface MongooseConnectionLike {
  /** Set once the connection is open. */
  readonly db?: Db | undefined | null;
  readonly readyState: number;
  readonly name?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  asPromise?(): Promise<unknown>;
}

export type MongoTarget = Db | { connection: MongooseConnectionLike };

export const PLUGIN_NAME = 'plugin-mongo';

export function isDb(value: unknown): value is Db {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Db).databaseName === 'string' &&
    typeof (value as Db).command === 'function' &&
    typeof (value as Db).collection === 'function'
  );
}

function isConnection(value: unknown): value is MongooseConnectionLike {
  return typeof value === 'object' && value !== null && 'readyState' in value && !isDb(value);
}

/** Accepts a Db, `{ connection }` or a bare mongoose Connection and returns the plugin's Target. */
export function toTarget(value: MongoTarget | MongooseConnectionLike): MongoTarget {
  if (isDb(value)) return value;
  if (typeof value === 'object' && value !== null && 'connection' in value) return value;
  if (isConnection(value)) return { connection: value };
  throw new TidemarkError(
    'INVALID_DEFINITION',
    'the target must be a mongodb Db, a mongoose Connection or { connection }',
    { plugin: PLUGIN_NAME },
  );
}

/** The Db behind a target; a mongoose connection must be open (await `mongoose.connect` or `asPromise()` first). */
export function dbOf(target: MongoTarget): Db {
  if (isDb(target)) return target;
  const db = target.connection.db;
  if (!db) {
    throw new TidemarkError(
      'INVALID_DEFINITION',
      'the mongoose connection is not open yet (await mongoose.connect(...) or connection.asPromise() first)',
      {
        plugin: PLUGIN_NAME,
      },
    );
  }
  return db;
}

/** Waits for a mongoose connection that is still opening; a Db is returned as is. */
export async function openTarget(target: MongoTarget): Promise<MongoTarget> {
  if (isDb(target) || target.connection.db) return target;
  if (target.connection.asPromise) await target.connection.asPromise();
  return target;
}

interface HostAddressLike {
  host?: string;
  port?: number;
  toString(): string;
}

/** "host:port/db" with no user name or password, for messages and events. */
export function describeTarget(target: MongoTarget): string {
  if (!isDb(target)) {
    const c = target.connection;
    const name = c.db?.databaseName ?? c.name ?? '?';
    const host = c.host ? `${c.host}${c.port ? `:${c.port}` : ''}` : hostsOf(c.db);
    return redact(`mongodb://${host}/${name}`);
  }
  return redact(`mongodb://${hostsOf(target)}/${target.databaseName}`);
}

function hostsOf(db: Db | null | undefined): string {
  const hosts = (db as unknown as { client?: { options?: { hosts?: HostAddressLike[] } } } | null | undefined)?.client
    ?.options?.hosts;
  if (!hosts || hosts.length === 0) return '?';
  // HostAddress never carries credentials; toString() gives "host:port".
  return hosts.map((h) => (h.host ? `${h.host}${h.port ? `:${h.port}` : ''}` : h.toString())).join(',');
}
