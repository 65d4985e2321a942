import { Controller, Get, Query, UsePipes } from '@nestjs/common';
import { SagaDeadLetters, type DeadLetterView } from '@herd/saga';
import { createValidationPipe } from '../validation.pipe';
import { DeadLettersQueryDto } from './sagas-query.dto';

export interface SagaDeadLetterListResponse {
  /** Outbox rows the broker kept refusing, parked with its reason; oldest first. */
  readonly deadLetters: readonly DeadLetterView[];
}

/** The parked outbox rows over HTTP, read-only (replay and drop stay `SagaDeadLetters` calls). */
@Controller('saga-dead-letters')
@UsePipes(createValidationPipe())
export class SagaDeadLettersController {
  constructor(private readonly deadLetters: SagaDeadLetters) {}

  @Get()
  async list(@Query() query: DeadLettersQueryDto): Promise<SagaDeadLetterListResponse> {
    return { deadLetters: await this.deadLetters.list(query.limit) };
  }
}
