// Column types that differ between the two dialects; everything else is written once with TypeORM's Table API.
import type { QueryRunner } from 'typeorm';

export function timestampType(queryRunner: QueryRunner): string {
  return queryRunner.connection.driver.options.type === 'postgres' ? 'timestamp' : 'datetime';
}
