import { MarathonErrorBody } from '../definitions/marathon-app.interface';
import { MarathonRequestError } from './marathon-request.error';

/** 404: no such app, or no such version of it. */
export class MarathonNotFoundError extends MarathonRequestError {
  constructor(method: string, path: string, body: MarathonErrorBody | undefined) {
    super(method, path, 404, body, body?.message ?? `Marathon has nothing at ${path}`, false);
    this.name = 'MarathonNotFoundError';
  }
}
