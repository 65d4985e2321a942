import { Inject } from '@nestjs/common';
import { SERVICE_CLIENT_PREFIX } from './registry.constants';

/** DI token of the ServiceHttpClient for `service` (see RegistryModule.forFeature). */
export function getServiceClientToken(service: string): string {
  return `${SERVICE_CLIENT_PREFIX}${service}`;
}

/** Injects the ServiceHttpClient for `service`, made available by RegistryModule.forFeature([service]). */
export const InjectServiceClient = (service: string): ParameterDecorator & PropertyDecorator =>
  Inject(getServiceClientToken(service));
