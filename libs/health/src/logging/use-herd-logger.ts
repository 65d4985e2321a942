import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * Routes Nest's Logger (and so every Herd lib's logs) to the JSON logger HealthModule set up.
 * Create the app with `{ bufferLogs: true }` so boot logs are not printed as plain text first.
 */
export function useHerdLogger(app: INestApplicationContext): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
}
