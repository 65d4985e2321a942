import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DatabaseServiceOptions } from '../interfaces/database-options.interface';

/** Holds one service's raw options (from a value, factory, class or existing provider). */
export const {
  ConfigurableModuleClass: DatabaseOptionsHost,
  MODULE_OPTIONS_TOKEN: DATABASE_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: DATABASE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DatabaseServiceOptions>({ moduleName: 'HerdDatabase' })
  .setClassMethodName('forService')
  .setFactoryMethodName('createDatabaseOptions')
  .setExtras({ service: '' }, (definition, extras) => ({
    ...definition,
    // The service name makes each service's options module distinct to Nest's module dedupe.
    providers: [
      ...(definition.providers ?? []),
      { provide: `herd:database:service:${extras.service}`, useValue: extras.service },
    ],
  }))
  .build();
