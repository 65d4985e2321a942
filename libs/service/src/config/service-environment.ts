import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import {
  IsNotEmpty,
  IsOptional,
  IsPort,
  IsSemVer,
  IsString,
  IsUrl,
  Matches,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { ConfigProblem, ServiceConfigError } from '../errors/service-config.error';
import { serviceDatabaseUrlKey } from './cluster-env';

const PRODUCTION_ONLY =
  'is required when NODE_ENV=production (the embedded default is for development only)';
const POSTGRES_URL = {
  protocols: ['postgres', 'postgresql'],
  require_tld: false,
  require_protocol: true,
};
const HTTP_URL = { protocols: ['http', 'https'], require_tld: false, require_protocol: true };
const BROKERS = /^[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*$/;

const inProduction = (env: ServiceEnvironment) => env.NODE_ENV === 'production';

/**
 * The environment of a Herd service as a class-validator schema: what @nestjs/config's
 * `validate` checks (see `validateServiceEnvironment`). `SERVICE_DATABASE_URL` stands for the
 * service's own `<NAME>_DATABASE_URL`, which is reported under its real name.
 */
export class ServiceEnvironment {
  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  @IsOptional()
  @IsPort({ message: ({ value }) => `"${String(value)}" is not a port number (0-65535)` })
  PORT?: string;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @Matches(/^\//, { message: ({ value }) => `"${String(value)}" is not an absolute path` })
  HERD_PORT_FILE?: string;

  @IsOptional()
  @IsSemVer({ message: ({ value }) => `"${String(value)}" is not a semantic version (1.2.3)` })
  HERD_SERVICE_VERSION?: string;

  @IsOptional()
  @IsString()
  HERD_INSTANCE_ID?: string;

  @ValidateIf((env: ServiceEnvironment) =>
    inProduction(env) ? !env.HERD_POSTGRES_URL : env.SERVICE_DATABASE_URL !== undefined,
  )
  @IsNotEmpty({ message: PRODUCTION_ONLY })
  @IsUrl(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  SERVICE_DATABASE_URL?: string;

  @IsOptional()
  @IsUrl(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  HERD_POSTGRES_URL?: string;

  @ValidateIf(
    (env: ServiceEnvironment) => inProduction(env) || env.HERD_KAFKA_BROKERS !== undefined,
  )
  @IsNotEmpty({ message: PRODUCTION_ONLY })
  @Matches(BROKERS, { message: ({ value }) => `"${String(value)}" is not host:port[,host:port…]` })
  HERD_KAFKA_BROKERS?: string;

  @ValidateIf((env: ServiceEnvironment) => inProduction(env) || env.HERD_CONSUL_URL !== undefined)
  @IsNotEmpty({ message: PRODUCTION_ONLY })
  @IsUrl(HTTP_URL, { message: 'must be an http:// or https:// URL' })
  HERD_CONSUL_URL?: string;

  @IsOptional()
  @IsString()
  HERD_CONSUL_TOKEN?: string;
}

/**
 * Validates a service's environment against `ServiceEnvironment` and reports **every** bad or
 * missing key at once, each with what was expected. Shaped as @nestjs/config's `validate`
 * (`ConfigModule.forRoot({ validate: (env) => validateServiceEnvironment('codec', env) })`).
 * Blank values count as unset; the brokers list is read without the spaces around commas.
 */
export function validateServiceEnvironment(
  service: string,
  env: Record<string, unknown>,
): ServiceEnvironment {
  const databaseKey = serviceDatabaseUrlKey(service);
  const plain: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(
    withFileValues(env, [databaseKey, ...FILE_KEYS], problems),
  )) {
    if (value !== '') plain[key === databaseKey ? 'SERVICE_DATABASE_URL' : key] = value;
  }
  if (plain.HERD_KAFKA_BROKERS) {
    plain.HERD_KAFKA_BROKERS = plain.HERD_KAFKA_BROKERS.split(',')
      .map((broker) => broker.trim())
      .filter(Boolean)
      .join(',');
  }
  const environment = plainToInstance(ServiceEnvironment, plain);
  problems.push(
    ...validateSync(environment, { forbidUnknownValues: false }).map((error) => {
      const messages = Object.entries(error.constraints ?? {});
      // A missing key is only "missing": the format rules behind it say nothing more.
      const missing = messages.find(([rule]) => rule === 'isNotEmpty');
      return {
        key: error.property === 'SERVICE_DATABASE_URL' ? databaseKey : error.property,
        problem: (missing ?? messages[0])?.[1] ?? 'is invalid',
      };
    }),
  );
  if (problems.length > 0) throw new ServiceConfigError(problems);
  return environment;
}

const FILE_SUFFIX = '_FILE';
/** Besides `<NAME>_DATABASE_URL`, the keys that may come from a file: credentials and servers. */
const FILE_KEYS = [
  'HERD_POSTGRES_URL',
  'HERD_CONSUL_TOKEN',
  'HERD_CONSUL_URL',
  'HERD_KAFKA_BROKERS',
];

/**
 * Trimmed values, with `<KEY>_FILE` of each of `fileKeys` replaced by `<KEY>` = the file's
 * content: Docker and Swarm secrets arrive as files under /run/secrets, so a credential never sits
 * in the environment. Other `…_FILE` variables (SSL_CERT_FILE, …) are not this service's.
 */
function withFileValues(
  env: Record<string, unknown>,
  fileKeys: readonly string[],
  problems: ConfigProblem[],
) {
  const values: Record<string, string> = {};
  for (const [key, raw] of Object.entries(env)) {
    const value = typeof raw === 'string' ? raw.trim() : raw === undefined ? '' : String(raw);
    const target = key.slice(0, -FILE_SUFFIX.length);
    if (!key.endsWith(FILE_SUFFIX) || !fileKeys.includes(target) || value === '') {
      values[key] ??= value;
      continue;
    }
    if (typeof env[target] === 'string' && (env[target] as string).trim() !== '') {
      problems.push({ key, problem: `is set together with ${target}: set one of them` });
      continue;
    }
    try {
      values[target] = readFileSync(value, 'utf8').trim();
    } catch (error) {
      problems.push({
        key,
        problem: `cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      });
    }
  }
  return values;
}
