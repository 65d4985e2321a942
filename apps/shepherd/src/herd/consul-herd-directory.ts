import Consul from 'consul';
import {
  ConsulRequestError,
  ConsulUnavailableError,
  VERSION_META_KEY,
  type ConsulHealthEntry,
} from '@herd/registry';
import { HerdDirectory, HerdInstance } from './herd-instance';

type Call = (options: Record<string, unknown>) => Promise<unknown>;
interface CatalogApi {
  catalog: { service: { list: Call } };
  health: { service: Call };
}

const HEALTH_ORDER = ['passing', 'warning', 'critical'] as const;

/**
 * The whole herd as Consul's catalogue sees it: every service, every instance with its checks.
 * Unlike @herd/registry's resolve() (passing instances only), an operator's view needs the sick
 * ones too.
 */
export class ConsulHerdDirectory implements HerdDirectory {
  readonly description: string;
  private readonly api: CatalogApi;

  constructor(
    url: string,
    token?: string,
    private readonly timeoutMs = 5_000,
  ) {
    const parsed = new URL(url);
    this.description = `Consul at ${parsed.origin}`;
    const secure = parsed.protocol === 'https:';
    const consul = new Consul({
      host: parsed.hostname,
      port: Number(parsed.port || (secure ? 443 : 80)),
      secure,
      defaults: token ? { token } : {},
    });
    this.api = consul as unknown as CatalogApi;
  }

  async instances(): Promise<HerdInstance[]> {
    const services = (await this.call('catalog.service.list', () =>
      this.api.catalog.service.list({ timeout: this.timeoutMs }),
    )) as Record<string, string[]>;
    const names = Object.keys(services).filter((name) => name !== 'consul');
    const entries = await Promise.all(
      names.map(
        (service) =>
          this.call('health.service', () =>
            this.api.health.service({ service, timeout: this.timeoutMs }),
          ) as Promise<ConsulHealthEntry[]>,
      ),
    );
    return entries.flat().map(toInstance);
  }

  /** Errors without the client's response object, whose request carries the ACL token. */
  private async call(operation: string, run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (error) {
      const status = (error as { response?: { statusCode?: number } }).response?.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        throw new ConsulRequestError(operation, status, (error as Error).message);
      }
      throw new ConsulUnavailableError(operation, error);
    }
  }
}

function toInstance(entry: ConsulHealthEntry): HerdInstance {
  const own = entry.Checks.filter((c) => c.ServiceID === entry.Service.ID || c.ServiceID === '');
  const worst = own.reduce((acc, check) => Math.max(acc, HEALTH_ORDER.indexOf(check.Status)), 0);
  return {
    id: entry.Service.ID,
    service: entry.Service.Service,
    version: entry.Service.Meta?.[VERSION_META_KEY] ?? 'unknown',
    address: entry.Service.Address || entry.Node.Address,
    port: entry.Service.Port,
    health: HEALTH_ORDER[worst],
    tags: entry.Service.Tags ?? [],
  };
}
