import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { SAGA_STATES, type SagaState } from '@herd/saga';

/** A page size within the query API's bound (1 to 1,000). */
const PageLimit = () =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(1000),
  );

/** `GET /sagas?state=&sagaType=&limit=&offset=`: the bounds are the query API's own. */
export class SagasQueryDto {
  @IsOptional()
  @IsIn(SAGA_STATES, { message: `state must be one of ${SAGA_STATES.join(', ')}` })
  state?: SagaState;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  sagaType?: string;

  @PageLimit()
  limit: number = 100;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}

/** `GET /saga-dead-letters?limit=` */
export class DeadLettersQueryDto {
  @PageLimit()
  limit: number = 100;
}

/** `GET /sagas/:id`: saga ids are at most 64 characters (the column's width). */
export class SagaIdParams {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  id: string;
}
