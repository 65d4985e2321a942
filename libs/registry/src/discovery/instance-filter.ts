import { ResolveFilter, ServiceInstance } from '../interfaces/service-instance.interface';

export function matchesFilter(
  instance: ServiceInstance,
  filter: ResolveFilter | undefined,
): boolean {
  if (!filter) return true;
  if (filter.version !== undefined && instance.version !== filter.version) return false;
  return (filter.tags ?? []).every((tag) => instance.tags.includes(tag));
}
