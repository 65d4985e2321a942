import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { errorMessage } from '../core/error-message';
import { getServiceDataSourceToken } from '../nest/database.tokens';

export interface DatabaseHealthCheckOptions {
  /** Key in the health report. Default `database:<service>`. */
  readonly key?: string;
  /** Down when the ping takes longer. Default 1000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Readiness for @herd/health: a service is ready only when its own database answers a query
 * (a pool that merely exists proves nothing once the server went away).
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(
    service: string,
    options: DatabaseHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult> {
    const session = this.health.check(options.key ?? `database:${service}`);
    let dataSource: DataSource;
    try {
      dataSource = this.moduleRef.get<DataSource>(getServiceDataSourceToken(service), {
        strict: false,
      });
    } catch {
      return session.down({ message: `no database registered for service '${service}'` });
    }
    if (!dataSource.isInitialized) return session.down({ message: 'not connected' });
    const timeoutMs = options.timeoutMs ?? 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      return session.up();
    } catch (error) {
      return session.down({ message: errorMessage(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}
