// Fresh PostgreSQL databases for the harness: one per target, created through an admin connection and
// dropped (WITH FORCE) when the target is disposed.
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';

export interface FreshDatabase {
  knex: Knex;
  drop(): Promise<void>;
}

/**
 * `serverUrl` is the server without a database name (`postgres://user@host:5432`); the admin connection goes
 * to its `postgres` database. Needs the `pg` package.
 */
export function postgresDatabases(serverUrl: string, prefix = 'tm_tel_test'): () => Promise<FreshDatabase> {
  const base = serverUrl.replace(/\/+$/, '');
  return async () => {
    const name = `${prefix}_${randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: `${base}/postgres`, pool: { min: 0, max: 1 } });
    try {
      await admin.raw(`CREATE DATABASE ${name}`);
    } finally {
      await admin.destroy();
    }
    const knex = knexFactory({ client: 'pg', connection: `${base}/${name}`, pool: { min: 0, max: 4 } });
    return {
      knex,
      async drop() {
        await knex.destroy();
        const again = knexFactory({ client: 'pg', connection: `${base}/postgres`, pool: { min: 0, max: 1 } });
        try {
          await again.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await again.destroy();
        }
      },
    };
  };
}
