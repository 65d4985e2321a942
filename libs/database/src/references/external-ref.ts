import { Column, ColumnOptions } from 'typeorm';
import type { EntityClass } from '../interfaces/database-options.interface';

declare const externalRefBrand: unique symbol;

/**
 * The id of an entity owned by ANOTHER service: a plain value with no foreign key. The optional
 * brand lets any string (e.g. from a DTO) in, but keeps refs to different entities apart:
 * `ExternalRef<'customers', 'Customer'>` does not accept an `ExternalRef<'orders', 'Order'>`.
 */
export type ExternalRef<
  TService extends string,
  TEntity extends string,
  TId extends string | number = string,
> = TId & { readonly [externalRefBrand]?: `${TService}.${TEntity}` };

export interface ExternalRefTarget {
  /** The service that owns the referenced entity. */
  readonly service: string;
  /** Its entity name there (documentation and `getExternalRefs`, never a join). */
  readonly entity: string;
}

export interface ExternalRefDescriptor extends ExternalRefTarget {
  readonly property: string;
}

const refs = new WeakMap<object, ExternalRefDescriptor[]>();

/**
 * A column holding another service's id. Defaults to `varchar(64)`, indexed by the caller if it
 * is queried; there is no constraint because the row lives in another database. Existence is
 * eventual: learn about it from the owner's events (see `Projection`).
 */
export function ExternalRefColumn(target: ExternalRefTarget, options: ColumnOptions = {}) {
  const column = Column({ type: 'varchar', length: 64, ...options });
  return (prototype: object, property: string): void => {
    column(prototype, property);
    const list = refs.get(prototype.constructor) ?? [];
    list.push({ service: target.service, entity: target.entity, property });
    refs.set(prototype.constructor, list);
  };
}

/** The cross-service references an entity declares (inherited ones included). */
export function getExternalRefs(entity: EntityClass): ExternalRefDescriptor[] {
  const found: ExternalRefDescriptor[] = [];
  for (let current = entity; current && current !== Function.prototype;) {
    found.push(...(refs.get(current) ?? []));
    current = Object.getPrototypeOf(current);
  }
  return found;
}
