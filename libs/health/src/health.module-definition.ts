import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { HealthModuleOptions } from './interfaces/health-module-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableHealthModule,
  MODULE_OPTIONS_TOKEN: HEALTH_MODULE_OPTIONS,
  OPTIONS_TYPE: HEALTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HEALTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HealthModuleOptions>().setClassMethodName('forRoot').build();
