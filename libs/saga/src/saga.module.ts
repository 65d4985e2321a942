import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { SagaModuleOptions } from './interfaces/saga-module-options.interface';
import { SagaHealthIndicator } from './nest/saga-health.indicator';
import { SagaLifecycle } from './nest/saga-lifecycle.service';
import { SAGA_MODULE_OPTIONS, SagaConfigurableModule } from './nest/saga.module-definition';
import { SagaOrchestrator } from './orchestrator/saga-orchestrator';
import { SagaReplier } from './participant/saga-replier';
import { SagaDeadLetters } from './outbox/saga-dead-letters';
import { SagaRuntime } from './saga-runtime';
import { SagaDeadLetterTopics } from './transport/saga-dead-letter-topics';

/**
 * `SagaModule.forRoot({ dataSource, serviceName, transport, definitions })` or `forRootAsync`.
 * Options are validated when the runtime is built, so a bad option fails the boot with its key.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: SagaRuntime,
      useFactory: (options: SagaModuleOptions) => new SagaRuntime(options),
      inject: [SAGA_MODULE_OPTIONS],
    },
    {
      provide: SagaOrchestrator,
      useFactory: (runtime: SagaRuntime) => runtime.orchestrator,
      inject: [SagaRuntime],
    },
    {
      provide: SagaDeadLetters,
      useFactory: (runtime: SagaRuntime) => runtime.deadLetters,
      inject: [SagaRuntime],
    },
    {
      provide: SagaDeadLetterTopics,
      useFactory: (runtime: SagaRuntime) => runtime.deadLetterTopics,
      inject: [SagaRuntime],
    },
    {
      provide: SagaReplier,
      useFactory: (runtime: SagaRuntime) => runtime.replier,
      inject: [SagaRuntime],
    },
    HealthIndicatorService,
    SagaHealthIndicator,
    SagaLifecycle,
  ],
  exports: [
    SagaRuntime,
    SagaOrchestrator,
    SagaReplier,
    SagaDeadLetters,
    SagaDeadLetterTopics,
    SagaHealthIndicator,
  ],
})
export class SagaModule extends SagaConfigurableModule {}
