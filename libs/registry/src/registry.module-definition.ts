import { ConfigurableModuleBuilder } from '@nestjs/common';
import { RegistryModuleOptions } from './interfaces/registry-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableRegistryModule,
  MODULE_OPTIONS_TOKEN: REGISTRY_MODULE_OPTIONS,
  OPTIONS_TYPE: REGISTRY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REGISTRY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RegistryModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
