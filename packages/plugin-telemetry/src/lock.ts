// The run lock: @tidemark/sql's PostgreSQL session advisory lock (a dedicated session outside the caller's
// pool; idle_session_timeout = ttl on PostgreSQL >= 14; the holder named in pg_stat_activity).
// PGlite has one in-process connection, so its lock is core's in-memory lease per PGlite instance.
import { memoryLock, type Lock } from '@tidemark/core';
import { advisoryLock as sessionAdvisoryLock, knexExecutor } from '@tidemark/sql';
import type { Knex } from 'knex';
import { isPGliteKnex } from './target.js';

export { advisoryKey } from '@tidemark/sql';

const pgliteLocks = new WeakMap<object, Lock>();

export function advisoryLock(knex: Knex, name: string): Lock {
  if (isPGliteKnex(knex)) {
    const key = ((knex.client as { pglite?: object }).pglite ?? knex) as object;
    let lock = pgliteLocks.get(key);
    if (!lock) pgliteLocks.set(key, (lock = memoryLock()));
    return lock;
  }
  return sessionAdvisoryLock(knexExecutor(knex, { dialect: 'postgres' }), name);
}
