import { MarathonRequestError } from './marathon-request.error';

/** No answer at all (refused, reset, timed out): the URL is wrong or Marathon is down. */
export class MarathonUnreachableError extends MarathonRequestError {
  constructor(method: string, path: string, origin: string, cause: string) {
    super(
      method,
      path,
      undefined,
      undefined,
      `Marathon at ${origin} did not answer ${method} ${path}: ${cause}`,
      true,
    );
    this.name = 'MarathonUnreachableError';
  }
}
