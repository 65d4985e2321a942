/** What the Prometheus suites compare: the herd members passing in Consul, and Prometheus's targets. */

export interface ConsulEntry {
  Service: { ID: string; Service: string; Meta: Record<string, string> | null };
  Checks: { Status: string }[];
}

export interface PrometheusTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** Every instance of every service but Consul itself whose checks pass. */
export async function passingInstances(consulUrl: string): Promise<ConsulEntry[]> {
  const services = (await (await fetch(`${consulUrl}/v1/catalog/services`)).json()) as Record<
    string,
    string[]
  >;
  const entries = await Promise.all(
    Object.keys(services)
      .filter((name) => name !== 'consul')
      .map(
        async (name) =>
          (await (
            await fetch(`${consulUrl}/v1/health/service/${name}?passing=true`)
          ).json()) as ConsulEntry[],
      ),
  );
  return entries.flat();
}

export async function activeTargets(prometheusUrl: string): Promise<PrometheusTarget[]> {
  const body = (await (await fetch(`${prometheusUrl}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: PrometheusTarget[] };
  };
  return body.data.activeTargets;
}
