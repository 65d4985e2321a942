import { MarathonErrorBody } from '../definitions/marathon-app.interface';

/** Marathon answered a request with an error status (the subclasses name the common ones). */
export class MarathonRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly body: MarathonErrorBody | undefined,
    message = `Marathon answered ${method} ${path} with ${status}${body?.message ? `: ${body.message}` : ''}`,
    readonly retryable = status === undefined || status >= 500,
  ) {
    super(message);
    this.name = 'MarathonRequestError';
  }
}
