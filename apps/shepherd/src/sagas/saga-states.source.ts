import type { SagaListResponse } from '@herd/service';
import { HerdInstance } from '../herd/herd-instance';
import { hostPort } from '../metrics/scrape-metrics.source';

/** A saga that did not complete, as the page shows it. */
export interface SagaFailureView {
  readonly id: string;
  readonly sagaType: string;
  readonly state: string;
  readonly currentStep: string | null;
  readonly failureReason: string | null;
  readonly updatedAt: string;
}

/** What one service's database holds, read through one of its instances' `GET /sagas`. */
export interface ServiceSagaStates {
  /** Instances per state (the database's, not counters since a restart). */
  readonly counts: Readonly<Record<string, number>>;
  /** Parked for an operator: a compensation failed. Newest first. */
  readonly failed: readonly SagaFailureView[];
  /** The latest sagas that were undone, with why. */
  readonly compensated: readonly SagaFailureView[];
  /** The instance that answered. */
  readonly readFrom: string;
}

/** Where the shepherd reads each service's sagas; keyed by service name. */
export interface SagaStatesSource {
  read(herd: readonly HerdInstance[]): Promise<Map<string, ServiceSagaStates>>;
}

const FAILED_SHOWN = 10;
const COMPENSATED_SHOWN = 5;

/**
 * Reads `GET /sagas` (served by every herd member through @herd/service) from one passing
 * instance per service, the next one when it does not answer: the instances of a service share
 * one database, so any of them tells the whole story. Addresses come from Consul only.
 */
export class HttpSagaStatesSource implements SagaStatesSource {
  constructor(private readonly timeoutMs = 2_000) {}

  async read(herd: readonly HerdInstance[]): Promise<Map<string, ServiceSagaStates>> {
    const byService = new Map<string, HerdInstance[]>();
    for (const instance of herd) {
      if (instance.health !== 'passing') continue;
      byService.set(instance.service, [...(byService.get(instance.service) ?? []), instance]);
    }
    const states = new Map<string, ServiceSagaStates>();
    await Promise.all(
      [...byService].map(async ([service, instances]) => {
        for (const instance of instances) {
          const read = await this.readInstance(instance);
          if (read) {
            states.set(service, read);
            return;
          }
        }
      }),
    );
    return states;
  }

  private async readInstance(instance: HerdInstance): Promise<ServiceSagaStates | undefined> {
    const base = `http://${hostPort(instance.address, instance.port)}/sagas`;
    const [failed, compensated] = await Promise.all([
      this.get(`${base}?state=FAILED&limit=${FAILED_SHOWN}`),
      this.get(`${base}?state=COMPENSATED&limit=${COMPENSATED_SHOWN}`),
    ]);
    if (!failed || !compensated) return undefined;
    return {
      counts: failed.counts,
      failed: failed.sagas.map(failureView),
      compensated: compensated.sagas.map(failureView),
      readFrom: instance.id,
    };
  }

  private async get(url: string): Promise<SagaListResponse | undefined> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) return undefined;
      const body = (await response.json()) as Partial<SagaListResponse>;
      return body && typeof body.counts === 'object' && Array.isArray(body.sagas)
        ? (body as SagaListResponse)
        : undefined;
    } catch {
      // A dying instance, or one that serves no saga API: the next instance is asked.
      return undefined;
    }
  }
}

function failureView(saga: SagaListResponse['sagas'][number]): SagaFailureView {
  return {
    id: String(saga.id),
    sagaType: String(saga.sagaType),
    state: String(saga.state),
    currentStep: saga.currentStep === null ? null : String(saga.currentStep),
    failureReason: saga.failureReason === null ? null : String(saga.failureReason),
    updatedAt: String(saga.updatedAt),
  };
}
