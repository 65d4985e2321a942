/** A scaling policy that cannot be used: names the field (`[0].lag.topics`) and why. */
export class ScalingPolicyError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`scaling policy${field ? ` ${field}` : ''} ${reason}`);
    this.name = 'ScalingPolicyError';
  }
}
