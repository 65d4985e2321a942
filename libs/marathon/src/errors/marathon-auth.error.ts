import { MarathonErrorBody } from '../definitions/marathon-app.interface';
import { MarathonRequestError } from './marathon-request.error';

/** 401/403: credentials missing, wrong, or not allowed to do this. */
export class MarathonAuthError extends MarathonRequestError {
  constructor(method: string, path: string, status: number, body: MarathonErrorBody | undefined) {
    super(
      method,
      path,
      status,
      body,
      status === 401
        ? `Marathon refused the credentials (401) for ${method} ${path}: set MARATHON_USER and MARATHON_PASSWORD, or MARATHON_TOKEN`
        : `Marathon does not allow ${method} ${path} for these credentials (403)`,
      false,
    );
    this.name = 'MarathonAuthError';
  }
}
