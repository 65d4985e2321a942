import type {
  DatabaseIsolation,
  EntityClass,
  MigrationClass,
} from '../interfaces/database-options.interface';

interface ResolvedCommon {
  readonly service: string;
  readonly entities: readonly EntityClass[];
  readonly migrations: readonly MigrationClass[];
  readonly migrationsRun: boolean;
  readonly synchronize: boolean;
  readonly logging: boolean;
  /** NODE_ENV=production: ownership is verified at boot and its absence is fatal. */
  readonly production: boolean;
  /** How errors name `url` and `provision.adminUrl` (the user's own setting names). */
  readonly settingNames: { readonly url: string; readonly adminUrl: string };
}

export interface ResolvedPostgresOptions extends ResolvedCommon {
  readonly driver: 'postgres';
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly role: string;
  readonly database: string;
  readonly isolation: DatabaseIsolation;
  /** Set in schema isolation only. */
  readonly schema?: string;
  readonly adminUrl?: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly connectAttempts: number;
  readonly connectDelayMs: number;
  readonly migrationLockTimeoutMs: number;
}

export interface ResolvedSqliteOptions extends ResolvedCommon {
  readonly driver: 'sqlite';
  readonly path: string;
}

export type ResolvedDatabaseOptions = ResolvedPostgresOptions | ResolvedSqliteOptions;
