import { Inject } from '@nestjs/common';
import { SagaOrchestrator } from '../orchestrator/saga-orchestrator';

/** Injects the module's orchestrator (start sagas, query them, retry FAILED ones). */
export const InjectSagaOrchestrator = (): ParameterDecorator => Inject(SagaOrchestrator);
