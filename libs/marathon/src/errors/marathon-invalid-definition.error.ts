import { MarathonViolation } from '../definitions/validate-app-definition';

/** 422 from Marathon, or the same rules checked before sending: each violation names its path. */
export class MarathonInvalidDefinitionError extends Error {
  readonly retryable = false;

  constructor(
    readonly source: 'marathon' | 'local',
    readonly details: readonly MarathonViolation[],
    what = 'app definition',
  ) {
    super(
      `${source === 'marathon' ? 'Marathon refused the' : 'invalid'} ${what}: ${details
        .map((d) => `${d.path} ${d.errors.join('; ')}`)
        .join(', ')}`,
    );
    this.name = 'MarathonInvalidDefinitionError';
  }
}
