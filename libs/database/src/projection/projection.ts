import type { DeepPartial, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ProjectionError } from '../errors/projection.error';

export interface ProjectionDefinition<TEvent, TModel extends ObjectLiteral> {
  /** For errors and logs, e.g. `customer-credit`. */
  readonly name: string;
  /** The service that owns the data (and publishes the events). */
  readonly source: string;
  /** The local read-model entity; it belongs to the consuming service. */
  readonly model: EntityTarget<TModel>;
  /** The source entity's id carried by the event: the read model's primary key. */
  readonly key: (event: TEvent) => string | number;
  /**
   * A number the source increases with every change of that entity (an aggregate version or a
   * sequence). Events at or below the stored version are duplicates or late: skipped.
   */
  readonly version: (event: TEvent) => number;
  /** The read model's new state (merged over the current row, or a new row when null). */
  readonly apply: (current: TModel | null, event: TEvent) => DeepPartial<TModel>;
  /** Primary key property of the model. Default `id`. */
  readonly keyProperty?: keyof TModel & string;
  /** Property storing the last applied version. Default `sourceVersion`. */
  readonly versionProperty?: keyof TModel & string;
}

export type ProjectionOutcome = 'applied' | 'stale';

/**
 * Keeps a local copy of the part of another service's data this service needs, from that
 * service's events (the "split shared data" rule: no join, no remote read on the hot path).
 * Idempotent and order-tolerant per key through the version check; call it with the
 * EntityManager of the transaction that also records the consumed message (inbox).
 */
export class Projection<TEvent, TModel extends ObjectLiteral> {
  private readonly keyProperty: string;
  private readonly versionProperty: string;

  constructor(private readonly definition: ProjectionDefinition<TEvent, TModel>) {
    this.keyProperty = definition.keyProperty ?? 'id';
    this.versionProperty = definition.versionProperty ?? 'sourceVersion';
  }

  get name(): string {
    return this.definition.name;
  }

  get source(): string {
    return this.definition.source;
  }

  async apply(manager: EntityManager, event: TEvent): Promise<ProjectionOutcome> {
    const key = this.definition.key(event);
    if (
      (typeof key !== 'string' || key === '') &&
      (typeof key !== 'number' || !Number.isFinite(key))
    ) {
      throw new ProjectionError(this.name, `event key must be a non-empty string or a number`);
    }
    const version = this.definition.version(event);
    if (typeof version !== 'number' || !Number.isFinite(version)) {
      throw new ProjectionError(this.name, `event version for key ${key} must be a finite number`);
    }
    const repository = manager.getRepository(this.definition.model);
    const query = repository
      .createQueryBuilder('model')
      .where(`model.${this.keyProperty} = :key`, { key });
    // Row lock so two consumers of the same key serialise (SQLite has a single writer anyway).
    if (
      manager.connection.options.type === 'postgres' &&
      manager.queryRunner?.isTransactionActive
    ) {
      query.setLock('pessimistic_write');
    }
    const current = await query.getOne();
    if (current && Number(current[this.versionProperty]) >= version) return 'stale';
    const next = this.definition.apply(current, event);
    const row = repository.merge(current ?? repository.create(), next, {
      [this.keyProperty]: key,
      [this.versionProperty]: version,
    } as DeepPartial<TModel>);
    await repository.save(row);
    return 'applied';
  }
}
