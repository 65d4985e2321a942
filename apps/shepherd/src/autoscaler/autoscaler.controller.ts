import { Controller, Get, Query } from '@nestjs/common';
import { ScalingPolicy } from './core/scaling-policy';
import { AutoscalerService } from './autoscaler.service';
import { DecisionsQueryDto } from './dto/decisions-query.dto';
import { ScalingDecisionEntity } from './scaling-decision.entity';

@Controller('autoscaler')
export class AutoscalerController {
  constructor(private readonly autoscaler: AutoscalerService) {}

  /** Every stored decision, newest first, the decisions not to act included (unless acted=true). */
  @Get('decisions')
  decisions(@Query() query: DecisionsQueryDto): Promise<ScalingDecisionEntity[]> {
    return this.autoscaler.decisions({ app: query.app, acted: query.acted, limit: query.limit });
  }

  @Get('policies')
  policies(): { target: string; policies: readonly ScalingPolicy[] } {
    return { target: this.autoscaler.targetDescription, policies: this.autoscaler.policies };
  }
}
