import {
  Global,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController, MetricsController } from './core/health.controller';
import { HealthService } from './core/health.service';
import { resolveHealthOptions, type ResolvedHealthOptions } from './core/resolve-health-options';
import { HEALTH_RESOLVED_OPTIONS } from './health.constants';
import {
  ConfigurableHealthModule,
  HEALTH_ASYNC_OPTIONS_TYPE,
  HEALTH_MODULE_OPTIONS,
  HEALTH_OPTIONS_TYPE,
} from './health.module-definition';
import { KafkaConsumerHealthIndicator } from './indicators/kafka-consumer-health.indicator';
import type { HealthModuleOptions } from './interfaces/health-module-options.interface';
import { pinoParams } from './logging/pino-params';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { GracefulShutdownService } from './shutdown/graceful-shutdown.service';
import { InFlightTracker } from './shutdown/in-flight-tracker';
import { ShutdownState } from './shutdown/shutdown-state';

/**
 * /health/live, /health/ready, /health and /metrics, JSON logs through nestjs-pino, and the
 * stop-intake/drain phases of graceful shutdown. Global, so other libs can inject
 * ShutdownState and KafkaConsumerHealthIndicator without importing it.
 */
@Global()
@Module({
  imports: [TerminusModule],
  controllers: [HealthController, MetricsController],
  providers: [
    {
      provide: HEALTH_RESOLVED_OPTIONS,
      inject: [HEALTH_MODULE_OPTIONS],
      useFactory: (options: HealthModuleOptions) => resolveHealthOptions(options),
    },
    ShutdownState,
    InFlightTracker,
    KafkaConsumerHealthIndicator,
    HealthService,
    GracefulShutdownService,
  ],
  exports: [HEALTH_RESOLVED_OPTIONS, ShutdownState, KafkaConsumerHealthIndicator, HealthService],
})
export class HealthModule extends ConfigurableHealthModule implements NestModule {
  static override forRoot(options: typeof HEALTH_OPTIONS_TYPE): DynamicModule {
    return withLogging(super.forRoot(options));
  }

  static override forRootAsync(options: typeof HEALTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withLogging(super.forRootAsync(options));
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}

function withLogging(module: DynamicModule): DynamicModule {
  // The logger reads the validated options: HealthModule is global, so its export reaches it.
  const logging = LoggerModule.forRootAsync({
    inject: [HEALTH_RESOLVED_OPTIONS],
    useFactory: (options: ResolvedHealthOptions) => pinoParams(options),
  });
  return { ...module, imports: [...(module.imports ?? []), logging] };
}
