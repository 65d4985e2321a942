export interface ConfigProblem {
  readonly key: string;
  readonly problem: string;
}

/**
 * A service's environment is wrong: names every bad or missing key with what was expected, so
 * one failed boot shows every fix at once.
 */
export class ServiceConfigError extends Error {
  /** The first key at fault (every one is in `problems`). */
  readonly key: string;

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `invalid configuration ${p.key}: ${p.problem}`).join('\n'));
    this.name = 'ServiceConfigError';
    this.key = problems[0]?.key ?? '(environment)';
  }
}
