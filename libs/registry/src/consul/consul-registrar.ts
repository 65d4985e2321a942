import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { Logger } from '@nestjs/common';
import { ConsulUnavailableError } from '../errors/consul-unavailable.error';
import { ServiceRegistration } from '../interfaces/service-instance.interface';
import { RegistrationStatus } from '../interfaces/service-registry.interface';
import { ResolvedRegistryOptions } from '../registry-options.validator';
import { SCHEME_META_KEY, VERSION_META_KEY } from '../registry.constants';
import { registryMetrics } from '../registry.metrics';
import { ConsulAgentClient, ConsulServiceDefinition } from './consul-agent.client';

/**
 * Keeps this instance registered in the local agent: registers with an HTTP readiness check and a
 * TTL heartbeat, passes the TTL, and every tick asks the agent whether it still holds the service.
 * An agent that lost it (restart, wiped data dir) gets it back on the next tick: anti-entropy
 * from the instance's side, which Consul's own anti-entropy cannot do once the agent forgot it.
 *
 * An instance registered before it was ready starts with its readiness check critical, and the
 * agent runs a new check only after a random pause of up to one interval. Until it answers 2xx
 * the registrar asks its own readiness every `registration.readinessPollMs` and then registers the
 * check again, passing: an orchestrator that replaces old tasks once the new ones are up (Swarm,
 * Marathon) would otherwise leave no passing instance for up to one check interval.
 */
export class ConsulRegistrar {
  private readonly logger = new Logger('ConsulRegistrar');
  private registration?: ServiceRegistration;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private registered = false;
  private checks?: RegistrationStatus['checks'];
  private reRegistrations = 0;
  private failures = 0;
  /** The readiness check was registered critical and the agent has not seen it pass yet. */
  private awaitingReady = false;
  private nextKeepAt = 0;

  constructor(
    private readonly client: ConsulAgentClient,
    private readonly options: ResolvedRegistryOptions,
  ) {}

  ttlCheckId(id: string): string {
    return `service:${id}:ttl`;
  }

  readyCheckId(id: string): string {
    return `service:${id}:ready`;
  }

  /**
   * Registers now and keeps the registration alive. Rejects if the agent is unreachable, but the
   * keeper keeps retrying in the background until `deregister()`.
   */
  async register(registration: ServiceRegistration): Promise<void> {
    this.registration = registration;
    this.nextKeepAt = Date.now() + this.keepMs();
    this.schedule();
    await this.registerNow('boot');
  }

  async deregister(): Promise<void> {
    const registration = this.registration;
    this.registration = undefined;
    clearTimeout(this.timer);
    await this.ticking;
    if (!registration || !this.registered) return;
    this.registered = false;
    await this.client.deregisterService(registration.id);
    this.logger.log(`deregistered ${registration.name} instance ${registration.id}`);
  }

  status(): RegistrationStatus {
    return {
      registered: this.registered,
      instanceId: this.registration?.id,
      checks: this.registered ? this.checks : undefined,
      reRegistrations: this.reRegistrations,
    };
  }

  /**
   * `readiness` is the status each check starts in: what the instance itself answers on its
   * readiness endpoint right now. A check registered critical (Consul's default) would drop a
   * serving instance out of `resolve()` until the agent's first run, up to one interval.
   */
  definition(
    registration: ServiceRegistration,
    readiness: 'passing' | 'critical' = 'critical',
  ): ConsulServiceDefinition {
    const { checks } = this.options;
    const deregister =
      checks.deregisterCriticalAfterMs > 0
        ? { deregistercriticalserviceafter: `${checks.deregisterCriticalAfterMs}ms` }
        : {};
    return {
      id: registration.id,
      name: registration.name,
      address: registration.address,
      port: registration.port,
      tags: [...registration.tags],
      meta: {
        ...registration.meta,
        [VERSION_META_KEY]: registration.version,
        // Clients call an instance that serves TLS over https (ServiceHttpClient reads it).
        ...(checks.httpScheme === 'https' ? { [SCHEME_META_KEY]: 'https' } : {}),
      },
      checks: [
        {
          checkid: this.readyCheckId(registration.id),
          name: `${registration.name} readiness`,
          http: this.readinessUrl(registration),
          interval: `${checks.intervalMs}ms`,
          timeout: `${checks.timeoutMs}ms`,
          status: readiness,
          ...deregister,
        },
        {
          checkid: this.ttlCheckId(registration.id),
          name: `${registration.name} heartbeat`,
          ttl: `${checks.ttlMs}ms`,
          // The instance registering is alive: that is what the heartbeat says.
          status: 'passing',
          ...deregister,
        },
      ],
    };
  }

  readinessUrl(registration: ServiceRegistration): string {
    const { checks } = this.options;
    const host = registration.address.includes(':')
      ? `[${registration.address}]`
      : registration.address;
    return `${checks.httpScheme}://${host}:${registration.port}${checks.httpPath}`;
  }

  /**
   * Asks the instance's own readiness endpoint, the same way the agent's HTTP check will (a 2xx
   * is passing). Through node:http, which the service's HTTP server has loaded already: the global
   * fetch would start undici's HTTP client and compile llhttp's WebAssembly for this one request,
   * about 2 MB of resident memory kept for the life of an idle instance (`npm run bench -- images`).
   */
  private ownReadiness(registration: ServiceRegistration): Promise<'passing' | 'critical'> {
    const url = this.readinessUrl(registration);
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    return new Promise((settle) => {
      get(url, { signal: AbortSignal.timeout(this.options.checks.timeoutMs) }, (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        settle(status >= 200 && status < 300 ? 'passing' : 'critical');
      }).on('error', () => settle('critical'));
    });
  }

  private async registerNow(reason: 'boot' | 'restore'): Promise<void> {
    const registration = this.registration;
    if (!registration) return;
    const readiness = await this.ownReadiness(registration);
    await this.client.registerService(this.definition(registration, readiness));
    if (this.registration !== registration) return;
    this.registered = true;
    this.awaitingReady = readiness === 'critical';
    if (this.awaitingReady) this.schedule();
    registryMetrics().registrations.inc({ reason });
    if (reason === 'restore') this.reRegistrations += 1;
    this.logger.log(
      `${reason === 'boot' ? 'registered' : 're-registered (agent had lost it)'} ${registration.name} ` +
        `${registration.version} instance ${registration.id} at ${registration.address}:${registration.port} ` +
        `with ${this.client.endpoint}`,
    );
  }

  private keepMs(): number {
    return Math.max(
      100,
      Math.min(
        this.options.registration.antiEntropyIntervalMs,
        Math.floor(this.options.checks.ttlMs / 3),
      ),
    );
  }

  /** One timer for both cadences, so every agent call of this registrar runs in one chain. */
  private schedule(): void {
    if (this.ticking) return; // the running tick schedules the next one when it ends
    clearTimeout(this.timer);
    const untilKeep = Math.max(0, this.nextKeepAt - Date.now());
    const delay = this.awaitingReady
      ? Math.min(this.options.registration.readinessPollMs, untilKeep)
      : untilKeep;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (this.registration) this.schedule();
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    const registration = this.registration;
    if (!registration) return;
    // A failed promotion must not hold back the keep (the TTL heartbeat): each fails on its own.
    if (this.awaitingReady) {
      await this.passOnceReady(registration).catch((error: unknown) =>
        this.failed(registration, error),
      );
    }
    if (Date.now() < this.nextKeepAt) return;
    this.nextKeepAt = Date.now() + this.keepMs();
    await this.keep(registration).catch((error: unknown) => this.failed(registration, error));
  }

  private failed(registration: ServiceRegistration, error: unknown): void {
    this.failures += 1;
    if (this.failures === 1 || this.failures % 20 === 0) {
      const message = error instanceof ConsulUnavailableError ? error.message : String(error);
      this.logger.warn(
        `keeping ${registration.id} registered failed ${this.failures}x: ${message}`,
      );
    }
  }

  /** At the instance's first 2xx, its readiness check is registered again, passing. */
  private async passOnceReady(registration: ServiceRegistration): Promise<void> {
    if ((await this.ownReadiness(registration)) !== 'passing') return;
    if (this.registration !== registration || !this.awaitingReady) return;
    await this.client.registerServiceWithFreshChecks(this.definition(registration, 'passing'), [
      this.readyCheckId(registration.id),
    ]);
    this.awaitingReady = false;
    this.logger.log(`${registration.id} ready: its readiness check registered passing`);
  }

  private async keep(registration: ServiceRegistration): Promise<void> {
    const health = await this.client.localServiceHealth(registration.id);
    if (health === undefined) {
      await this.registerNow(this.registered ? 'restore' : 'boot');
    } else {
      this.registered = true;
      // The agent's own run of the check passed first: nothing left to promote.
      if (health === 'passing') this.awaitingReady = false;
      await this.client.passCheck(this.ttlCheckId(registration.id));
      this.checks = health;
    }
    if (this.failures > 0) this.logger.log(`Consul agent ${this.client.endpoint} reachable again`);
    this.failures = 0;
  }
}
