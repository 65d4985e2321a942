import { SagaSchema1764201600000 } from './1764201600000-saga-schema';
import { SagaOutboxOrder1796083200000 } from './1796083200000-saga-outbox-order';
import { SagaDeadLetters1796086800000 } from './1796086800000-saga-dead-letters';
import { SagaHistory1796090400000 } from './1796090400000-saga-history';

/** Every saga migration in order: add all of them to the service's DataSource `migrations`. */
export const SAGA_MIGRATIONS = [
  SagaSchema1764201600000,
  SagaOutboxOrder1796083200000,
  SagaDeadLetters1796086800000,
  SagaHistory1796090400000,
];
