export { RegistryError } from './registry.error';
export { RegistryOptionsError } from './registry-options.error';
export { NoHealthyInstanceError } from './no-healthy-instance.error';
export { ConsulUnavailableError } from './consul-unavailable.error';
export { ConsulRequestError } from './consul-request.error';
export { ServiceRequestError } from './service-request.error';
export { ServiceResponseError } from './service-response.error';
export { UnknownBalancerError } from './unknown-balancer.error';
