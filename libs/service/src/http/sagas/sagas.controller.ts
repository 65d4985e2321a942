import { Controller, Get, NotFoundException, Param, Query, UsePipes } from '@nestjs/common';
import {
  SagaNotFoundError,
  SagaOrchestrator,
  type SagaDetailView,
  type SagaState,
  type SagaView,
} from '@herd/saga';
import { createValidationPipe } from '../validation.pipe';
import { SagaIdParams, SagasQueryDto } from './sagas-query.dto';

export interface SagaListResponse {
  /** Instances per state in this service's database (of `sagaType` when given). */
  readonly counts: Record<SagaState, number>;
  /** Newest first, FAILED ones with their `failureReason`; without step histories. */
  readonly sagas: readonly SagaView[];
}

/**
 * The saga query API over HTTP, read-only, on every herd member: what the shepherd's page shows
 * (FAILED sagas and why) and what an operator reads before acting through `SagaOrchestrator`.
 */
@Controller('sagas')
@UsePipes(createValidationPipe())
export class SagasController {
  constructor(private readonly orchestrator: SagaOrchestrator) {}

  @Get()
  async list(@Query() query: SagasQueryDto): Promise<SagaListResponse> {
    const [counts, sagas] = await Promise.all([
      this.orchestrator.countByState(query.sagaType),
      this.orchestrator.list(query),
    ]);
    return { counts, sagas };
  }

  /** One saga with its step history: commands, replies, timeouts, compensations, with times. */
  @Get(':id')
  async findOne(@Param() params: SagaIdParams): Promise<SagaDetailView> {
    try {
      return await this.orchestrator.findById(params.id);
    } catch (error) {
      if (error instanceof SagaNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
