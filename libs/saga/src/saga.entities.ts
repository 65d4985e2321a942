import { InboxMessageEntity } from './inbox/inbox-message.entity';
import { OutboxDeadLetterEntity } from './outbox/outbox-dead-letter.entity';
import { OutboxMessageEntity } from './outbox/outbox-message.entity';
import { SagaInstanceEntity } from './orchestrator/saga-instance.entity';

/** Add these to the service's DataSource `entities` (and migrations) to hold saga tables. */
export const SAGA_ENTITIES = [
  SagaInstanceEntity,
  OutboxMessageEntity,
  OutboxDeadLetterEntity,
  InboxMessageEntity,
];
