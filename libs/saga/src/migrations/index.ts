import { SagaSchema1764201600000 } from './1764201600000-saga-schema';
import { SagaOutboxOrder1796083200000 } from './1796083200000-saga-outbox-order';

/** Every saga migration in order: add all of them to the service's DataSource `migrations`. */
export const SAGA_MIGRATIONS = [SagaSchema1764201600000, SagaOutboxOrder1796083200000];
