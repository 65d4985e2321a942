/**
 * The part of courseware's HTTP API other services call: the codec fetches an original here, by
 * service name through the registry, with nothing but the courseware's id.
 */
export const COURSEWARE_SERVICE = 'courseware';

export function coursewareSourcePath(coursewareId: string): string {
  return `/coursewares/${encodeURIComponent(coursewareId)}/source`;
}
