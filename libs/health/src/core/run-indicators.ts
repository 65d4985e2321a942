import {
  HealthCheckError,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { HealthCheckTimeoutError } from '../errors/health-check-timeout.error';
import type { NamedReadinessIndicator } from '../interfaces/health-module-options.interface';
import { redactText } from '../logging/redact';

function withTimeout<T>(work: Promise<T>, name: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthCheckTimeoutError(name, timeoutMs)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs indicators concurrently, each bounded by `timeoutMs`, into terminus's result shape.
 * Unlike terminus's executor, a thrown error never escapes as a 500: it becomes a `down` entry
 * under the indicator's name, so the 503 body always names the failing part.
 */
export async function runIndicators(
  indicators: readonly NamedReadinessIndicator[],
  timeoutMs: number,
): Promise<HealthCheckResult> {
  const settled = await Promise.allSettled(
    indicators.map((indicator) =>
      withTimeout(Promise.resolve().then(indicator.check), indicator.name, timeoutMs),
    ),
  );
  const info: HealthIndicatorResult = {};
  const error: HealthIndicatorResult = {};
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') {
      for (const [key, value] of Object.entries(outcome.value ?? {})) {
        (value?.status === 'up' ? info : error)[key] = value;
      }
      return;
    }
    const reason: unknown = outcome.reason;
    if (reason instanceof HealthCheckError && reason.causes) {
      Object.assign(error, reason.causes);
      return;
    }
    const message = reason instanceof Error ? reason.message : String(reason);
    error[indicators[i].name] = { status: 'down', message: redactText(message) };
  });
  return {
    status: Object.keys(error).length > 0 ? 'error' : 'ok',
    info,
    error,
    details: { ...info, ...error },
  };
}
