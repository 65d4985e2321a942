export const DATABASE_LOGGER_CONTEXT = 'HerdDatabase';

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECT_ATTEMPTS = 10;
export const DEFAULT_CONNECT_DELAY_MS = 1_000;
export const DEFAULT_MIGRATION_LOCK_TIMEOUT_MS = 120_000;
export const DEFAULT_SQLITE_PATH = ':memory:';

/** First key of every advisory lock Herd takes ("HD"), so they never collide with an app's own. */
export const ADVISORY_LOCK_NAMESPACE = 0x4844;
export const MIGRATION_LOCK_POLL_MS = 200;

/** Service names become role/database/schema identifiers. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,47}$/;
export const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
