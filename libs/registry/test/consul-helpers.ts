import { setTimeout as sleep } from 'node:timers/promises';

/** Raw Consul HTTP reads, independent of the code under test. */
export async function catalogIds(consulUrl: string, service: string): Promise<string[]> {
  const response = await fetch(new URL(`/v1/catalog/service/${service}`, consulUrl), {
    signal: AbortSignal.timeout(2000),
  });
  const entries = (await response.json()) as { ServiceID: string }[];
  return entries.map((e) => e.ServiceID).sort();
}

/** Instances whose every check passes, straight from the agent's health endpoint. */
export async function passingIds(consulUrl: string, service: string): Promise<string[]> {
  const response = await fetch(new URL(`/v1/health/service/${service}?passing=true`, consulUrl), {
    signal: AbortSignal.timeout(2000),
  });
  const entries = (await response.json()) as { Service: { ID: string } }[];
  return entries.map((e) => e.Service.ID).sort();
}

export async function catalogEntry(
  consulUrl: string,
  service: string,
  id: string,
): Promise<
  { ServiceMeta: Record<string, string>; ServiceTags: string[]; ServicePort: number } | undefined
> {
  const response = await fetch(new URL(`/v1/catalog/service/${service}`, consulUrl), {
    signal: AbortSignal.timeout(2000),
  });
  const entries = (await response.json()) as {
    ServiceID: string;
    ServiceMeta: Record<string, string>;
    ServiceTags: string[];
    ServicePort: number;
  }[];
  return entries.find((e) => e.ServiceID === id);
}

/** Polls `probe` every 100 ms until it returns true; throws with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<number> {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      if (await probe()) return Date.now() - started;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export async function resolvedIds(resolve: () => Promise<{ id: string }[]>): Promise<string[]> {
  try {
    return (await resolve()).map((i) => i.id).sort();
  } catch (error) {
    if ((error as Error).name === 'NoHealthyInstanceError') return [];
    throw error;
  }
}
