import type { SagaDeadLetterListResponse, SagaListResponse } from '@herd/service';
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

/** An outbox row the broker kept refusing, parked with its reason. */
export interface ParkedMessageView {
  readonly topic: string;
  readonly reason: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

/** What one service's database holds, read through one of its instances' `GET /sagas`. */
export interface ServiceSagaStates {
  /** Instances per state (the database's, not counters since a restart). */
  readonly counts: Readonly<Record<string, number>>;
  /** Parked for an operator: a compensation failed. Newest first. */
  readonly failed: readonly SagaFailureView[];
  /** The latest sagas that were undone, with why. */
  readonly compensated: readonly SagaFailureView[];
  /** Oldest first, from `GET /saga-dead-letters`. */
  readonly parked: readonly ParkedMessageView[];
  /** The instance that answered. */
  readonly readFrom: string;
}

/** Where the shepherd reads each service's sagas; keyed by service name. */
export interface SagaStatesSource {
  read(herd: readonly HerdInstance[]): Promise<Map<string, ServiceSagaStates>>;
}

const FAILED_SHOWN = 10;
const COMPENSATED_SHOWN = 5;
const PARKED_SHOWN = 10;

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
    const origin = `http://${hostPort(instance.address, instance.port)}`;
    const [failed, compensated, parked] = await Promise.all([
      this.get<SagaListResponse>(`${origin}/sagas?state=FAILED&limit=${FAILED_SHOWN}`),
      this.get<SagaListResponse>(`${origin}/sagas?state=COMPENSATED&limit=${COMPENSATED_SHOWN}`),
      this.get<SagaDeadLetterListResponse>(`${origin}/saga-dead-letters?limit=${PARKED_SHOWN}`),
    ]);
    if (!isList(failed) || !isList(compensated) || !Array.isArray(parked?.deadLetters)) {
      return undefined;
    }
    return {
      counts: failed.counts,
      failed: failed.sagas.map(failureView),
      compensated: compensated.sagas.map(failureView),
      parked: parked.deadLetters.map((d) => ({
        topic: String(d.topic),
        reason: String(d.reason),
        attempts: Number(d.attempts),
        parkedAt: String(d.parkedAt),
      })),
      readFrom: instance.id,
    };
  }

  private async get<T>(url: string): Promise<Partial<T> | undefined> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      return response.ok ? ((await response.json()) as Partial<T>) : undefined;
    } catch {
      // A dying instance, or one that serves no saga API: the next instance is asked.
      return undefined;
    }
  }
}

function isList(body: Partial<SagaListResponse> | undefined): body is SagaListResponse {
  return typeof body?.counts === 'object' && Array.isArray(body.sagas);
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
