/** The slice of Nest's Logger the core needs, so the core runs without Nest. */
export interface DatabaseLogger {
  log(message: string): void;
  warn(message: string): void;
}

export const silentDatabaseLogger: DatabaseLogger = {
  log: () => undefined,
  warn: () => undefined,
};
