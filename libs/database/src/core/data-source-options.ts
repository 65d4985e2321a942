import type { DataSourceOptions } from 'typeorm';
import type { ResolvedDatabaseOptions } from './resolved-options';
import { quoteIdent } from './sql';

/** TypeORM options for a service; migrations and synchronize are run by Herd, under its lock. */
export function toDataSourceOptions(o: ResolvedDatabaseOptions): DataSourceOptions {
  const common = {
    entities: [...o.entities],
    migrations: [...o.migrations],
    migrationsRun: false,
    synchronize: false,
    logging: o.logging,
  };
  if (o.driver === 'sqlite') {
    return { ...common, type: 'better-sqlite3', database: o.path };
  }
  return {
    ...common,
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    poolSize: o.poolSize,
    connectTimeoutMS: o.connectTimeoutMs,
    applicationName: `herd:${o.service}`,
    extra: {
      statement_timeout: o.statementTimeoutMs,
      // Raw SQL in migrations must land in the service schema too, not in public.
      ...(o.schema ? { options: `-c search_path=${quoteIdent(o.schema)}` } : {}),
    },
  };
}
