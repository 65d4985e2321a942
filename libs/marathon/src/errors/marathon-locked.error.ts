import { MarathonErrorBody } from '../definitions/marathon-app.interface';
import { MarathonRequestError } from './marathon-request.error';

/**
 * 409 "App is locked by one or more deployments": Marathon runs one deployment per app at a
 * time, and a stuck one (failing health checks, no capacity) holds the lock forever.
 */
export class MarathonLockedError extends MarathonRequestError {
  readonly deploymentIds: string[];

  constructor(method: string, path: string, body: MarathonErrorBody | undefined) {
    super(
      method,
      path,
      409,
      body,
      body?.message ?? 'App is locked by one or more deployments',
      false,
    );
    this.name = 'MarathonLockedError';
    this.deploymentIds = (body?.deployments ?? []).map((d) => d.id);
  }
}
