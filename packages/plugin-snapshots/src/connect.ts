// Convenience DataSources for the demo, the benchmark and tests. Apps pass their own initialized DataSource.
import { DataSource } from 'typeorm';
import { snapshotEntities } from './entities.js';

/** An in-memory SQLite database (sql.js: WebAssembly, no native build). Optional peer: `sql.js`. */
export async function openSqljs(): Promise<DataSource> {
  const ds = new DataSource({ type: 'sqljs', entities: snapshotEntities, logging: false });
  return ds.initialize();
}

/** A PostgreSQL database by URL. Optional peer: `pg`. */
export async function openPostgres(url: string, poolSize = 10): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    entities: snapshotEntities,
    logging: false,
    extra: { max: poolSize },
  });
  return ds.initialize();
}
