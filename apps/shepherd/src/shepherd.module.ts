import { DynamicModule, Module, Provider } from '@nestjs/common';
import { MarathonClient } from '@herd/marathon';
import { RegistryService } from '@herd/registry';
import { DockerEngineClient } from '@herd/swarm';
import { HerdServiceModule, HerdServiceOverrides, ServiceConfig } from '@herd/service';
import { AutoscalerController } from './autoscaler/autoscaler.controller';
import { AutoscalerService } from './autoscaler/autoscaler.service';
import { ScalingDecisionEntity } from './autoscaler/scaling-decision.entity';
import { MarathonScalingTarget } from './autoscaler/targets/marathon-scaling-target';
import { SwarmScalingTarget } from './autoscaler/targets/swarm-scaling-target';
import { ScalingTarget } from './autoscaler/targets/scaling-target';
import { ShepherdConfig } from './config/shepherd-config';
import { ConsulHerdDirectory } from './herd/consul-herd-directory';
import { HerdDirectory } from './herd/herd-instance';
import { HerdWatchService } from './herd/herd-watch.service';
import { RegistryHerdDirectory } from './herd/registry-herd-directory';
import { ConsumerLagSource } from './lag/consumer-lag.source';
import { KafkaConsumerLagSource } from './lag/kafka-consumer-lag.source';
import { InstanceMetricsSource } from './metrics/metric-sample';
import { PrometheusMetricsSource } from './metrics/prometheus-metrics.source';
import { ScrapeMetricsSource } from './metrics/scrape-metrics.source';
import { ShepherdSchema1796114958115 } from './migrations/1796114958115-shepherd-schema';
import { HttpSagaStatesSource } from './sagas/saga-states.source';
import {
  HERD_DIRECTORY,
  LAG_SOURCE,
  METRICS_SOURCE,
  SAGA_STATES_SOURCE,
  SCALING_TARGET,
  SHEPHERD_CONFIG,
  SHEPHERD_SERVICE,
} from './shepherd.constants';
import { ViewController } from './view/view.controller';

/** What a caller (a test, an embedding) may put in place of what the configuration picks. */
export interface ShepherdOverrides extends HerdServiceOverrides {
  /** Where decisions are applied. Default: SHEPHERD_TARGET's, else none (made and shown, not applied). */
  readonly target?: ScalingTarget;
  readonly directory?: HerdDirectory;
  readonly metrics?: InstanceMetricsSource;
  readonly lag?: ConsumerLagSource;
}

/**
 * The shepherd: a herd member itself (its own database of decisions, registered, healthy) that
 * watches the herd, scales it by its policies and serves the operators' page.
 */
@Module({})
export class ShepherdModule {
  static forRoot(
    config: ServiceConfig,
    shepherd: ShepherdConfig,
    overrides: ShepherdOverrides = {},
  ): DynamicModule {
    const { directory, metrics, lag, ...service } = overrides;
    const target = overrides.target ?? configuredTarget(shepherd);
    const lagSource =
      lag ??
      (config.kafkaBrokers
        ? new KafkaConsumerLagSource(config.kafkaBrokers, config.instanceId)
        : undefined);
    const providers: Provider[] = [
      { provide: SHEPHERD_CONFIG, useValue: shepherd },
      directory
        ? { provide: HERD_DIRECTORY, useValue: directory }
        : config.consulUrl
          ? {
              provide: HERD_DIRECTORY,
              useValue: new ConsulHerdDirectory(config.consulUrl, config.consulToken),
            }
          : {
              provide: HERD_DIRECTORY,
              inject: [RegistryService],
              useFactory: (registry: RegistryService) =>
                new RegistryHerdDirectory(registry, [
                  ...shepherd.policies.map((p) => p.app),
                  SHEPHERD_SERVICE,
                ]),
            },
      {
        provide: METRICS_SOURCE,
        useValue:
          metrics ??
          (shepherd.prometheusUrl
            ? new PrometheusMetricsSource(shepherd.prometheusUrl)
            : new ScrapeMetricsSource()),
      },
      // Each service's `GET /sagas`, at the addresses the directory lists.
      { provide: SAGA_STATES_SOURCE, useValue: new HttpSagaStatesSource() },
      ...(lagSource ? [{ provide: LAG_SOURCE, useValue: lagSource }] : []),
      ...(target ? [{ provide: SCALING_TARGET, useValue: target }] : []),
      AutoscalerService,
      HerdWatchService,
    ];
    return {
      module: ShepherdModule,
      imports: [
        HerdServiceModule.forService(config, {
          entities: [ScalingDecisionEntity],
          migrations: [ShepherdSchema1796114958115],
          ...service,
        }),
      ],
      controllers: [ViewController, AutoscalerController],
      providers,
    };
  }
}

function configuredTarget(shepherd: ShepherdConfig): ScalingTarget | undefined {
  switch (shepherd.target?.kind) {
    case 'marathon':
      return new MarathonScalingTarget(
        new MarathonClient({ url: shepherd.target.url, token: shepherd.target.token }),
      );
    case 'swarm':
      // the engine from DOCKER_HOST, else the local socket
      return new SwarmScalingTarget(new DockerEngineClient(), shepherd.target.stack);
    default:
      return undefined;
  }
}
