/** The original could not be fetched right now (courseware unreachable, 5xx): try again later. */
export class SourceUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = new.target.name;
  }
}
