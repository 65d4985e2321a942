import { SagaDefinitionError } from '../errors/saga-definition.error';
import { UnknownSagaDefinitionError } from '../errors/unknown-saga-definition.error';
import { assertValidDefinition } from './saga-definition.builder';
import type { SagaDefinition } from './saga-definition';

/**
 * Every version of every definition this service runs. New sagas start on the highest version;
 * an instance always continues on the version it started with.
 */
export class SagaDefinitionRegistry {
  private readonly byName = new Map<string, Map<number, SagaDefinition<unknown>>>();

  constructor(definitions: readonly SagaDefinition<unknown>[] = []) {
    definitions.forEach((d) => this.add(d));
  }

  add(definition: SagaDefinition<unknown>): void {
    assertValidDefinition(definition);
    const versions = this.byName.get(definition.name) ?? new Map();
    if (versions.has(definition.version)) {
      throw new SagaDefinitionError(
        definition.name,
        `version ${definition.version} registered twice`,
      );
    }
    versions.set(definition.version, definition);
    this.byName.set(definition.name, versions);
  }

  latest(name: string): SagaDefinition<unknown> {
    const versions = this.byName.get(name);
    if (!versions) throw new UnknownSagaDefinitionError(name);
    return versions.get(Math.max(...versions.keys())) as SagaDefinition<unknown>;
  }

  get(name: string, version: number): SagaDefinition<unknown> {
    const found = this.byName.get(name)?.get(version);
    if (!found) throw new UnknownSagaDefinitionError(name, version);
    return found;
  }

  all(): SagaDefinition<unknown>[] {
    return [...this.byName.values()].flatMap((versions) => [...versions.values()]);
  }

  get size(): number {
    return this.byName.size;
  }
}
