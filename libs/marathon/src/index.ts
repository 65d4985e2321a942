export { buildAppDefinition, buildGroupDefinition } from './definitions/build-app-definition';
export type { AppDefinitionOptions } from './definitions/build-app-definition';
export {
  validateAppDefinition,
  validateGroupDefinition,
} from './definitions/validate-app-definition';
export type { MarathonViolation } from './definitions/validate-app-definition';
export type * from './definitions/marathon-app.interface';
export { MarathonClient } from './client/marathon-client';
export type { ChangeOptions, MarathonClientOptions } from './client/marathon-client';
export { MarathonDeployer, withoutStatus } from './deploy/marathon-deployer';
export type { ChangeRequest, DeployOutcome, DeployerOptions } from './deploy/marathon-deployer';
export { followDeployment } from './deploy/follow-deployment';
export type { FollowOptions } from './deploy/follow-deployment';
export type { DeploymentSnapshot } from './deploy/deployment-snapshot';
export { DEPLOYMENT_ID_HEADER, MARATHON_DEFAULTS, MARATHON_LABELS } from './marathon.constants';
export { MarathonRequestError } from './errors/marathon-request.error';
export { MarathonUnreachableError } from './errors/marathon-unreachable.error';
export { MarathonAuthError } from './errors/marathon-auth.error';
export { MarathonNotFoundError } from './errors/marathon-not-found.error';
export { MarathonLockedError } from './errors/marathon-locked.error';
export { MarathonInvalidDefinitionError } from './errors/marathon-invalid-definition.error';
export { DeploymentTimeoutError } from './errors/deployment-timeout.error';
export { RollbackError } from './errors/rollback.error';
