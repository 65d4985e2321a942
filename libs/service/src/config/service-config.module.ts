import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateServiceEnvironment } from './service-environment';

/**
 * @nestjs/config's ConfigModule for one herd member, registered by `HerdServiceModule`: global,
 * so any module of the service reads its own keys through `ConfigService`, and the process
 * environment is checked against the `ServiceEnvironment` schema while the app is assembled
 * (every bad key in one `ServiceConfigError`, production refusing the embedded defaults).
 */
export function serviceConfigModule(service: string): Promise<DynamicModule> {
  const module = ConfigModule.forRoot({
    isGlobal: true,
    // A herd member's environment comes from whoever launches it (Marathon, Swarm, compose): a
    // stray .env in a working copy or an image must not change what an instance runs with.
    ignoreEnvFile: true,
    cache: true,
    validate: (env) => {
      validateServiceEnvironment(service, env);
      // The checked environment as given: returning the parsed one would write its derived keys
      // (values read from `<KEY>_FILE`, which must stay out of the environment) into process.env.
      return env;
    },
  });
  // forRoot validates at once; the rejection belongs to the Nest app that awaits this import.
  // Marked handled here so it cannot surface as an unhandled rejection before the app does.
  module.catch(() => undefined);
  return module;
}
