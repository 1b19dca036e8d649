// The embedded default: PGlite (WASM PostgreSQL) behind knex through knex-pglite.
import type { Knex } from 'knex';

export async function pgliteKnex(dataDir?: string): Promise<Knex> {
  const { default: knexFactory } = await import('knex');
  const { default: ClientPgLite } = await import('knex-pglite');
  return knexFactory({
    client: ClientPgLite as unknown as Knex.Config['client'],
    dialect: 'postgres',
    connection: dataDir ? { filename: dataDir } : {},
  } as Knex.Config);
}
