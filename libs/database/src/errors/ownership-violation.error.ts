import { DatabaseError } from './database.error';

export type OwnershipViolationKind = 'relation' | 'foreign-key' | 'foreign-table';

export interface OwnershipViolation {
  readonly kind: OwnershipViolationKind;
  /** The entity of the checked service that breaks the rule. */
  readonly entity: string;
  readonly property?: string;
  /** The entity (or table) outside the service that it points at. */
  readonly target: string;
  readonly detail: string;
}

/**
 * A service's entities reach into data owned by another service (relation, foreign key or table
 * outside its own schema). Services share data by ids and events, never by joins.
 */
export class OwnershipViolationError extends DatabaseError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly violations: readonly OwnershipViolation[],
  ) {
    super(
      `Service '${service}' entities are not self-contained:\n` +
        violations.map((v) => `  - ${v.detail}`).join('\n') +
        `\nReference another service's data by plain id (ExternalRefColumn) and keep a local ` +
        `projection of what you need from its events.`,
    );
  }
}
