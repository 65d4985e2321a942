import type { HealthIndicatorService } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { HEALTH_INDICATOR_KEYS } from '../health.constants';
import type { NamedReadinessIndicator } from '../interfaces/health-module-options.interface';
import { redactText } from '../logging/redact';

/** `SELECT 1` through the service's own DataSource; the error text says why it is down. */
export function databaseIndicator(
  dataSource: DataSource,
  indicators: HealthIndicatorService,
): NamedReadinessIndicator {
  const key = HEALTH_INDICATOR_KEYS.database;
  return {
    name: key,
    check: async () => {
      const check = indicators.check(key);
      if (!dataSource.isInitialized)
        return check.down({ message: 'DataSource is not initialized' });
      try {
        await dataSource.query('SELECT 1');
        return check.up({ type: dataSource.options.type });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return check.down({ type: dataSource.options.type, message: redactText(message) });
      }
    },
  };
}
