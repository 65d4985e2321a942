import { EntitySchema, getMetadataArgsStorage } from 'typeorm';
import { OwnershipViolation, OwnershipViolationError } from '../errors/ownership-violation.error';
import type { EntityClass } from '../interfaces/database-options.interface';

export interface OwnershipScope {
  readonly service: string;
  /** Every entity class the service owns. */
  readonly entities: readonly EntityClass[];
  /** The schema the service's tables must live in (schema isolation); unset = no `schema:`. */
  readonly schema?: string;
}

type RelationType = string | ((type?: unknown) => unknown);

/**
 * Works on TypeORM's decorator metadata rather than a built DataSource: TypeORM refuses to build
 * metadata for a relation whose target is not registered, with an error that names neither
 * service, and the guard must run before anything touches the database.
 */
export function findOwnershipViolations(scope: OwnershipScope): OwnershipViolation[] {
  const storage = getMetadataArgsStorage();
  const owned = new Set<unknown>(scope.entities);
  const ownedByName = new Map<string, EntityClass>();
  for (const entity of scope.entities) {
    ownedByName.set(entity.name, entity);
    const table = storage.filterTables(entity)[0];
    if (table?.name) ownedByName.set(table.name, entity);
  }
  const resolve = (type: RelationType): { owned: boolean; name: string } => {
    if (typeof type === 'string') return { owned: ownedByName.has(type), name: type };
    const target = type();
    if (target instanceof EntitySchema) {
      return { owned: false, name: target.options.name };
    }
    const name = typeof target === 'function' ? target.name : String(target);
    return { owned: owned.has(target), name };
  };

  const violations: OwnershipViolation[] = [];
  for (const entity of scope.entities) {
    const tree = inheritanceTree(entity);
    const visit = (holders: EntityClass[], path: string) => {
      for (const relation of storage.filterRelations(holders)) {
        const target = resolve(relation.type as RelationType);
        if (!target.owned) {
          const property = path + relation.propertyName;
          violations.push({
            kind: 'relation',
            entity: entity.name,
            property,
            target: target.name,
            detail:
              `${entity.name}.${property} is a ${relation.relationType} relation to ` +
              `${target.name}, which service '${scope.service}' does not own`,
          });
        }
      }
      for (const fk of storage.filterForeignKeys(holders)) {
        const target = resolve(fk.type as RelationType);
        if (!target.owned) {
          const property = fk.propertyName ? path + fk.propertyName : undefined;
          violations.push({
            kind: 'foreign-key',
            entity: entity.name,
            property,
            target: target.name,
            detail:
              `${entity.name}${property ? `.${property}` : ''} has a foreign key into ` +
              `${target.name}, which service '${scope.service}' does not own`,
          });
        }
      }
      for (const embedded of storage.filterEmbeddeds(holders)) {
        const type = embedded.type();
        if (typeof type === 'function') {
          visit(inheritanceTree(type), `${path}${embedded.propertyName}.`);
        }
      }
    };
    visit(tree, '');

    for (const table of storage.filterTables(tree)) {
      const name = table.name ?? entity.name;
      if (table.database) {
        violations.push(foreignTable(entity, name, `database "${table.database}"`, scope));
      }
      if (table.schema && table.schema !== scope.schema) {
        violations.push(foreignTable(entity, name, `schema "${table.schema}"`, scope));
      }
      if (name.includes('.')) {
        violations.push(foreignTable(entity, name, `qualified table name "${name}"`, scope));
      }
    }
  }
  return violations;
}

/** Throws OwnershipViolationError listing every violation; use it in a service's unit tests. */
export function assertSelfContained(scope: OwnershipScope): void {
  const violations = findOwnershipViolations(scope);
  if (violations.length > 0) throw new OwnershipViolationError(scope.service, violations);
}

function foreignTable(
  entity: EntityClass,
  table: string,
  where: string,
  scope: OwnershipScope,
): OwnershipViolation {
  const own = scope.schema ? `schema "${scope.schema}"` : 'its own database';
  return {
    kind: 'foreign-table',
    entity: entity.name,
    target: table,
    detail: `${entity.name} maps to table ${table} in ${where}, outside service '${scope.service}' ${own}`,
  };
}

function inheritanceTree(entity: EntityClass): EntityClass[] {
  const tree: EntityClass[] = [];
  for (let current = entity; current && current !== Function.prototype;) {
    tree.push(current);
    current = Object.getPrototypeOf(current);
  }
  return tree;
}
