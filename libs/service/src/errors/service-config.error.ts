export interface ConfigProblem {
  readonly key: string;
  readonly problem: string;
}

/**
 * A service's environment is wrong: names every bad or missing key with what was expected, so
 * one failed boot shows every fix at once. `new ServiceConfigError(key, problem)` for one key.
 */
export class ServiceConfigError extends Error {
  /** The first key at fault (every one is in `problems`). */
  readonly key: string;
  readonly problems: readonly ConfigProblem[];

  constructor(key: string, problem: string);
  constructor(problems: readonly ConfigProblem[]);
  constructor(keyOrProblems: string | readonly ConfigProblem[], problem?: string) {
    const problems =
      typeof keyOrProblems === 'string'
        ? [{ key: keyOrProblems, problem: problem ?? 'is invalid' }]
        : keyOrProblems;
    super(problems.map((p) => `invalid configuration ${p.key}: ${p.problem}`).join('\n'));
    this.name = 'ServiceConfigError';
    this.problems = problems;
    this.key = problems[0]?.key ?? '(environment)';
  }
}
