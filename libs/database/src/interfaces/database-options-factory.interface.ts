import type { DatabaseServiceOptions } from './database-options.interface';

/** For `DatabaseModule.forServiceAsync(name, { useClass })`. */
export interface DatabaseOptionsFactory {
  createDatabaseOptions(): DatabaseServiceOptions | Promise<DatabaseServiceOptions>;
}
