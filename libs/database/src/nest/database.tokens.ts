import { Inject } from '@nestjs/common';
import { getDataSourceToken, getEntityManagerToken, InjectRepository } from '@nestjs/typeorm';
import type { EntityClass } from '../interfaces/database-options.interface';

/**
 * The same tokens @nestjs/typeorm uses for a named data source, so `TypeOrmModule.forFeature(
 * entities, service)` and `@InjectRepository(Entity, service)` work on a Herd service database.
 */
export function getServiceDataSourceToken(service: string): string {
  return getDataSourceToken(service) as string;
}

export function getServiceEntityManagerToken(service: string): string {
  return getEntityManagerToken(service) as string;
}

export const InjectServiceDataSource = (service: string): ParameterDecorator =>
  Inject(getServiceDataSourceToken(service));

export const InjectServiceEntityManager = (service: string): ParameterDecorator =>
  Inject(getServiceEntityManagerToken(service));

export const InjectServiceRepository = (entity: EntityClass, service: string): ParameterDecorator =>
  InjectRepository(entity, service);
