import { INFRA_ENV_KEYS } from './infra.constants';
import { readInfraEnvFile } from './infra';

export interface HerdInfraEnv {
  readonly postgresUrl: string;
  readonly kafkaBrokers: string[];
  readonly consulUrl: string;
}

/**
 * The real servers an integration test must use: from the environment (set by the integration
 * globalSetup or by the user), else from the env file `npm run infra -- up` wrote.
 */
export function herdInfraEnv(env: NodeJS.ProcessEnv = process.env): HerdInfraEnv {
  const fromFile = readInfraEnvFile();
  const value = (key: string): string => {
    const found = env[key] ?? fromFile[key as keyof typeof fromFile];
    if (!found) {
      throw new Error(
        `${key} is not set: run \`npm run infra -- up\` or set it to an existing server`,
      );
    }
    return found;
  };
  return {
    postgresUrl: value(INFRA_ENV_KEYS.postgres),
    kafkaBrokers: value(INFRA_ENV_KEYS.kafka).split(','),
    consulUrl: value(INFRA_ENV_KEYS.consul),
  };
}
