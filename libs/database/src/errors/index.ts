export { DatabaseError } from './database.error';
export { DatabaseOptionsError } from './database-options.error';
export { DatabaseNotProvisionedError } from './database-not-provisioned.error';
export { DatabaseUnreachableError } from './database-unreachable.error';
export { MigrationLockTimeoutError } from './migration-lock-timeout.error';
export { OwnershipViolationError } from './ownership-violation.error';
export type { OwnershipViolation, OwnershipViolationKind } from './ownership-violation.error';
export { ProjectionError } from './projection.error';
