import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { useHerdLogger } from '@herd/health';
import { ServiceConfig, ServiceConfigDefaults, loadServiceConfig } from './config/service-config';
import { createValidationPipe } from './http/validation.pipe';

export interface StartServiceOptions {
  /** Runs on the created app before it listens (e.g. serving an OpenAPI document). */
  readonly beforeListen?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Boots a Herd service the same way everywhere: JSON logs from the first line, validated bodies,
 * shutdown hooks (SIGTERM/SIGINT run the documented drain order), then listen (and write the port
 * to `HERD_PORT_FILE` when set). Registration in Consul follows the 'listening' event
 * (@herd/registry), never before.
 */
export async function startService(
  module: Type<unknown> | DynamicModule,
  config: ServiceConfig,
  options: StartServiceOptions = {},
): Promise<INestApplication> {
  // abortOnError: false lets a boot failure reach the caller instead of exiting inside Nest.
  const app = await NestFactory.create(module, { bufferLogs: true, abortOnError: false });
  useHerdLogger(app);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  await options.beforeListen?.(app);
  await app.listen(config.port, config.host);
  if (config.portFile) {
    const { port } = app.getHttpServer().address() as AddressInfo;
    writeFileSync(config.portFile, String(port));
  }
  return app;
}

/**
 * A service's `main.ts` in one call: configuration from the environment, boot, and on failure
 * one line naming what is wrong (the misconfigured key, the unreachable server) and exit code 1.
 */
export function runService(
  defaults: ServiceConfigDefaults,
  moduleFor: (config: ServiceConfig) => Type<unknown> | DynamicModule,
  options: StartServiceOptions = {},
): void {
  const boot = async () => {
    const config = loadServiceConfig(defaults);
    await startService(moduleFor(config), config, options);
  };
  boot().catch((error: unknown) => {
    process.stderr.write(
      `${defaults.name} failed to start: ${(error as Error).message ?? error}\n`,
    );
    process.exit(1);
  });
}
